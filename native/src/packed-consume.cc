/*
 * Packed batch consume (see packed-consume.h and src/source/packed-batch.ts). A pool thread
 * takes up to maxMessages from librdkafka's consumer queue with rd_kafka_consume_batch_queue and
 * copies them into one block; the JS thread copies that block once into an ArrayBuffer. Partition
 * EOF events are skipped; other consumer errors are reported, never by dropping messages.
 */
#include "src/sinker/packed-consume.h"

#include <nan.h>

#include <cstdlib>
#include <cstring>
#include <limits>

namespace NodeKafka {
namespace Workers {

namespace {

constexpr uint8_t kNullValue = 1;
constexpr uint8_t kNullKey = 2;
constexpr uint8_t kHasHeaders = 4;
// Per message: f64 offset, f64 timestamp, u32 valueEnd, keyEnd, headerEnd, i32 partition,
// u16 topicIndex, u8 flags.
constexpr size_t kIndexBytesPerMessage = 8 + 8 + 4 + 4 + 4 + 4 + 2 + 1;

size_t Align8(size_t x) { return (x + 7) & ~static_cast<size_t>(7); }

rd_kafka_headers_t* HeadersOf(rd_kafka_message_t* m) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
  return headers;
}

// Each header: u32 nameLength | name | i32 valueLength (-1 = null) | value.
size_t HeaderBytes(const rd_kafka_headers_t* headers) {
  size_t total = 0;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                     RD_KAFKA_RESP_ERR_NO_ERROR;
       i++) {
    total += 4 + strlen(name) + 4 + (value ? size : 0);
  }
  return total;
}

char* PutU32(char* dst, uint32_t v) {
  memcpy(dst, &v, 4);  // little-endian hosts only, like the JS reader (x86_64, arm64)
  return dst + 4;
}

char* PutHeaders(char* dst, const rd_kafka_headers_t* headers) {
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                     RD_KAFKA_RESP_ERR_NO_ERROR;
       i++) {
    size_t name_len = strlen(name);
    dst = PutU32(dst, static_cast<uint32_t>(name_len));
    memcpy(dst, name, name_len);
    dst += name_len;
    dst = PutU32(dst, value ? static_cast<uint32_t>(size) : UINT32_MAX);  // UINT32_MAX = i32 -1
    if (value) {
      memcpy(dst, value, size);
      dst += size;
    }
  }
  return dst;
}

}  // namespace

PackedConsumeJob::PackedConsumeJob(KafkaConsumer* consumer, int timeout_ms,
                                   uint32_t max_messages, int sep)
    : m_consumer(consumer), m_timeout_ms(timeout_ms), m_max_messages(max_messages), m_sep(sep) {
  m_req.data = this;
}

PackedConsumeJob::~PackedConsumeJob() { free(m_buf); }

// A plain uv work request (bun-uv-shim.cc's pool), not a Nan::AsyncWorker: that one makes a
// Global and an async resource per call, which Bun 1.4 keeps forever.
void PackedConsumeJob::Queue() { uv_queue_work(uv_default_loop(), &m_req, Work, Done); }

void PackedConsumeJob::Work(uv_work_t* req) {
  static_cast<PackedConsumeJob*>(req->data)->Execute();
}

void PackedConsumeJob::Done(uv_work_t* req, int status) {
  (void)status;  // always 0: the shim's pool never cancels
  PackedConsumeJob* job = static_cast<PackedConsumeJob*>(req->data);
  job->Deliver();
  delete job;
}

void PackedConsumeJob::Execute() {
  std::vector<rd_kafka_message_t*> batch;
  Baton b = m_consumer->ConsumeBatch(m_timeout_ms, m_max_messages, &batch);
  if (b.err() != RdKafka::ERR_NO_ERROR) {
    m_error = b;
    return;
  }
  Sizes sizes;
  std::vector<rd_kafka_message_t*> msgs = KeepMessages(&batch, &sizes);
  if (msgs.empty()) return;
  constexpr size_t kMaxRegion = std::numeric_limits<uint32_t>::max();
  if (sizes.values > kMaxRegion || sizes.keys > kMaxRegion || sizes.headers > kMaxRegion) {
    // Unreachable with librdkafka's queue limits (queued.max.messages.kbytes <= 2 GiB).
    m_error = Baton(RdKafka::ERR__FAIL, "consumePacked: batch over 4 GiB; lower maxMessages");
    for (rd_kafka_message_t* m : msgs) rd_kafka_message_destroy(m);
    return;
  }
  Pack(msgs, sizes);
}

// Keeps the real messages and adds up the block's sizes, in one pass: each message is a cache
// miss the first time this thread touches it, so it is walked as few times as possible.
// Partition EOF is not news here; the first other error is kept for the callback. Destroys what
// it does not keep.
std::vector<rd_kafka_message_t*> PackedConsumeJob::KeepMessages(
    std::vector<rd_kafka_message_t*>* batch, Sizes* sizes) {
  std::vector<rd_kafka_message_t*> keep;
  keep.reserve(batch->size());
  for (rd_kafka_message_t* m : *batch) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      keep.push_back(m);
      sizes->values += (m->payload ? m->len : 0) + (m_sep >= 0 ? 1 : 0);
      sizes->keys += m->key ? m->key_len : 0;
      if (const rd_kafka_headers_t* h = HeadersOf(m)) sizes->headers += HeaderBytes(h);
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && !m_error) {
      m_error = Baton(static_cast<RdKafka::ErrorCode>(m->err), rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  return keep;
}

// Fills the block and destroys each message once copied.
void PackedConsumeJob::Pack(const std::vector<rd_kafka_message_t*>& msgs, const Sizes& sizes) {
  const size_t n = msgs.size();
  const size_t index_bytes = Align8(n * kIndexBytesPerMessage);
  m_buf_len = index_bytes + sizes.values + sizes.keys + sizes.headers;
  m_buf = static_cast<char*>(malloc(m_buf_len));
  if (m_buf == nullptr) abort();  // as libuv and V8 do on allocation failure
  double* offsets = reinterpret_cast<double*>(m_buf);
  double* timestamps = offsets + n;
  uint32_t* value_end = reinterpret_cast<uint32_t*>(timestamps + n);
  uint32_t* key_end = value_end + n;
  uint32_t* header_end = key_end + n;
  int32_t* partitions = reinterpret_cast<int32_t*>(header_end + n);
  uint16_t* topic_index = reinterpret_cast<uint16_t*>(partitions + n);
  uint8_t* flags = reinterpret_cast<uint8_t*>(topic_index + n);
  memset(flags + n, 0, index_bytes - n * kIndexBytesPerMessage);  // the padding
  char* const values = m_buf + index_bytes;
  char* const keys = values + sizes.values;
  char* const headers = keys + sizes.keys;
  char *v = values, *k = keys, *h = headers;
  for (size_t i = 0; i < n; i++) {
    rd_kafka_message_t* m = msgs[i];
    uint8_t f = 0;
    offsets[i] = static_cast<double>(m->offset);
    timestamps[i] = static_cast<double>(rd_kafka_message_timestamp(m, nullptr));
    partitions[i] = m->partition;
    topic_index[i] = TopicIndex(m);
    if (m->payload) {
      memcpy(v, m->payload, m->len);
      v += m->len;
    } else {
      f |= kNullValue;
    }
    value_end[i] = static_cast<uint32_t>(v - values);
    if (m_sep >= 0) *v++ = static_cast<char>(m_sep);
    if (m->key) {
      memcpy(k, m->key, m->key_len);
      k += m->key_len;
    } else {
      f |= kNullKey;
    }
    key_end[i] = static_cast<uint32_t>(k - keys);
    if (const rd_kafka_headers_t* hs = HeadersOf(m); hs && rd_kafka_header_cnt(hs) > 0) {
      h = PutHeaders(h, hs);
      f |= kHasHeaders;
    }
    header_end[i] = static_cast<uint32_t>(h - headers);
    flags[i] = f;
    rd_kafka_message_destroy(m);
  }
  m_count = static_cast<uint32_t>(n);
  m_sizes = sizes;
}

// Batches rarely hold more than a few topics: a linear scan beats a map here.
uint16_t PackedConsumeJob::TopicIndex(const rd_kafka_message_t* m) {
  for (size_t j = 0; j < m_topic_handles.size(); j++) {
    if (m_topic_handles[j] == m->rkt) return static_cast<uint16_t>(j);
  }
  m_topic_handles.push_back(m->rkt);
  m_topics.emplace_back(rd_kafka_topic_name(m->rkt));
  return static_cast<uint16_t>(m_topic_handles.size() - 1);
}

// On the JS thread. The callback is the JS dispatcher in src/source/packed-consume.ts, which
// settles a promise and never throws (Bun exports no v8::TryCatch to catch it here).
void PackedConsumeJob::Deliver() {
  Nan::HandleScope scope;
  v8::Local<v8::Value> block = Nan::Null();
  if (m_count > 0) {
    v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(
        v8::Isolate::GetCurrent(), m_buf_len, v8::BackingStoreInitializationMode::kUninitialized);
    memcpy(ab->GetBackingStore()->Data(), m_buf, m_buf_len);
    block = ab;
  }
  free(m_buf);
  m_buf = nullptr;
  v8::Local<v8::Array> topics = Nan::New<v8::Array>(static_cast<int>(m_topics.size()));
  for (size_t i = 0; i < m_topics.size(); i++) {
    Nan::Set(topics, static_cast<uint32_t>(i), Nan::New(m_topics[i]).ToLocalChecked());
  }
  v8::Local<v8::Value> error = Nan::Null();
  if (m_error) error = m_error->ToObject();
  v8::Local<v8::Value> argv[7] = {
      error,
      block,
      Nan::New<v8::Number>(m_count),
      Nan::New<v8::Number>(static_cast<double>(m_sizes.values)),
      Nan::New<v8::Number>(static_cast<double>(m_sizes.keys)),
      Nan::New<v8::Number>(static_cast<double>(m_sizes.headers)),
      topics,
  };
  v8::Local<v8::Function> callback = Nan::New(m_consumer->m_packed_callback);
  (void)Nan::Call(callback, Nan::GetCurrentContext()->Global(), 7, argv);
}

}  // namespace Workers
}  // namespace NodeKafka
