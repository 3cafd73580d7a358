/*
 * Packed batch consume: one librdkafka batch as one ArrayBuffer (layout in
 * src/source/packed-batch.ts), built on a worker thread so the JS thread makes no object per
 * message. Never drops a consumed message: a consumer error found in a batch is reported
 * together with the messages around it.
 */
#ifndef SINKER_PACKED_CONSUME_H_
#define SINKER_PACKED_CONSUME_H_

#include <nan.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rdkafka.h"  // NOLINT
#include "src/workers.h"

namespace NodeKafka {
namespace Workers {

// consumePacked(timeoutMs, maxMessages, sep, cb) on the consumer queue; calls
// cb(err, arrayBuffer|null, n, vbytes, kbytes, hbytes, topicNames[]) on the JS thread.
class KafkaConsumerConsumePacked : public ErrorAwareWorker {
 public:
  KafkaConsumerConsumePacked(Nan::Callback* callback, KafkaConsumer* consumer, int timeout_ms,
                             uint32_t max_messages, int sep);
  ~KafkaConsumerConsumePacked();

  void Execute();
  void HandleOKCallback();

 private:
  struct Sizes {
    size_t values = 0;
    size_t keys = 0;
    size_t headers = 0;
  };

  std::vector<rd_kafka_message_t*> KeepMessages(std::vector<rd_kafka_message_t*>* batch);
  Sizes Measure(const std::vector<rd_kafka_message_t*>& msgs) const;
  void Pack(const std::vector<rd_kafka_message_t*>& msgs, const Sizes& sizes);
  uint16_t TopicIndex(const rd_kafka_message_t* m);
  v8::Local<v8::Value> ErrorValue();

  KafkaConsumer* m_consumer;
  const int m_timeout_ms;
  const uint32_t m_max_messages;
  const int m_sep;  // >= 0: this byte follows each value
  std::optional<Baton> m_error;
  char* m_buf = nullptr;
  size_t m_buf_len = 0;
  uint32_t m_count = 0;
  Sizes m_sizes;
  std::vector<const rd_kafka_topic_t*> m_topic_handles;
  std::vector<std::string> m_topics;
};

}  // namespace Workers
}  // namespace NodeKafka

#endif  // SINKER_PACKED_CONSUME_H_
