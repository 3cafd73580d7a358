/*
 * The KafkaConsumer members behind the packed consume (declared by native/patches): the batch
 * read from librdkafka's consumer queue and the two JS methods. The packing itself is in
 * packed-consume.cc. Never creates a V8 Global per call (see packed-consume.h).
 */
#include <nan.h>

#include <limits>

#include "src/kafka-consumer.h"
#include "src/sinker/packed-consume.h"

namespace NodeKafka {

// Runs on a worker thread. Holds the connection's read lock like Consume() does, so a
// disconnect waits for the batch (at most timeout_ms) instead of freeing the handle under it.
Baton KafkaConsumer::ConsumeBatch(int timeout_ms, size_t max_messages,
                                  std::vector<rd_kafka_message_t*>* out) {
  if (!IsConnected()) return Baton(RdKafka::ERR__STATE, "KafkaConsumer is not connected");
  scoped_shared_read_lock lock(m_connection_lock);
  if (!IsConnected()) return Baton(RdKafka::ERR__STATE, "KafkaConsumer is not connected");
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(m_consumer->c_ptr());
  if (queue == nullptr) return Baton(RdKafka::ERR__STATE, "KafkaConsumer has no group queue");
  out->resize(max_messages);
  ssize_t got = rd_kafka_consume_batch_queue(queue, timeout_ms, out->data(), max_messages);
  rd_kafka_queue_destroy(queue);
  if (got < 0) {
    out->clear();
    return Baton(static_cast<RdKafka::ErrorCode>(rd_kafka_last_error()));
  }
  out->resize(static_cast<size_t>(got));
  return Baton(RdKafka::ERR_NO_ERROR);
}

// setPackedCallback(cb): where every consumePacked result goes. Call once per consumer: each
// call keeps a V8 Global, which Bun 1.4 never frees.
NAN_METHOD(KafkaConsumer::NodeSetPackedCallback) {
  if (info.Length() < 1 || !info[0]->IsFunction()) {
    return Nan::ThrowTypeError("setPackedCallback(cb)");
  }
  KafkaConsumer* consumer = ObjectWrap::Unwrap<KafkaConsumer>(info.This());
  consumer->m_packed_callback.Reset(info[0].As<v8::Function>());
}

// consumePacked(timeoutMs, maxMessages, sep): the result goes to the packed callback.
NAN_METHOD(KafkaConsumer::NodeConsumePacked) {
  Nan::HandleScope scope;
  if (info.Length() < 3 || !info[0]->IsUint32() || !info[1]->IsUint32() || !info[2]->IsInt32()) {
    return Nan::ThrowTypeError("consumePacked(timeoutMs, maxMessages, sep)");
  }
  uint32_t timeout_ms = Nan::To<uint32_t>(info[0]).FromJust();
  uint32_t max_messages = Nan::To<uint32_t>(info[1]).FromJust();
  int32_t sep = Nan::To<int32_t>(info[2]).FromJust();
  if (timeout_ms > static_cast<uint32_t>(std::numeric_limits<int>::max()) || max_messages == 0 ||
      max_messages > 1000000 || sep < -1 || sep > 255) {
    return Nan::ThrowError(
        "consumePacked: timeoutMs >= 0, 1 <= maxMessages <= 1000000, -1 <= sep <= 255");
  }
  KafkaConsumer* consumer = ObjectWrap::Unwrap<KafkaConsumer>(info.This());
  if (consumer->m_packed_callback.IsEmpty()) {
    return Nan::ThrowError("consumePacked: call setPackedCallback first");
  }
  (new Workers::PackedConsumeJob(consumer, static_cast<int>(timeout_ms), max_messages, sep))
      ->Queue();
}

}  // namespace NodeKafka
