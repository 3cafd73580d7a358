/*
 * Packed batch consume: one librdkafka batch as one ArrayBuffer (layout in
 * src/source/packed-batch.ts), built on a pool thread so the JS thread makes no object per
 * message. Never drops a consumed message: a consumer error found in a batch is reported
 * together with the messages around it. Never creates a V8 Global per call: Bun 1.4 never
 * frees one (native/README.md), so results go to the consumer's one registered callback.
 */
#ifndef SINKER_PACKED_CONSUME_H_
#define SINKER_PACKED_CONSUME_H_

#include <uv.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rdkafka.h"  // NOLINT
#include "src/common.h"
#include "src/kafka-consumer.h"

namespace NodeKafka {
namespace Workers {

// One consumePacked(timeoutMs, maxMessages, sep) call: Execute() runs on a pool thread, then
// Deliver() calls the consumer's packed callback on the JS thread with
// (err, arrayBuffer|null, n, vbytes, kbytes, hbytes, topicNames[]). Deletes itself after.
class PackedConsumeJob {
 public:
  PackedConsumeJob(KafkaConsumer* consumer, int timeout_ms, uint32_t max_messages, int sep);
  ~PackedConsumeJob();

  void Queue();

 private:
  struct Sizes {
    size_t values = 0;
    size_t keys = 0;
    size_t headers = 0;
  };

  static void Work(uv_work_t* req);
  static void Done(uv_work_t* req, int status);
  void Execute();
  void Deliver();
  std::vector<rd_kafka_message_t*> KeepMessages(std::vector<rd_kafka_message_t*>* batch,
                                                Sizes* sizes);
  void Pack(const std::vector<rd_kafka_message_t*>& msgs, const Sizes& sizes);
  uint16_t TopicIndex(const rd_kafka_message_t* m);

  uv_work_t m_req;
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
