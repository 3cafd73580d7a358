/*
 * The libuv functions this addon calls, implemented on pthreads and on uvbridge.node, because
 * Bun 1.4 (Linux) exports uv_async_*, uv_queue_work and uv_rwlock_* as stubs that panic.
 * Linked with -Bsymbolic, so the addon's own calls bind here and never to Bun's stubs; the
 * build fails if any uv_* symbol is left for Bun to resolve. Never call into JS from here
 * except through the bridge, which runs callbacks on the JS thread.
 */
#include "src/sinker/bun-uv-shim.h"

#include <pthread.h>
#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "src/sinker/uv-bridge.h"

namespace {

std::atomic<const sinker_uv_bridge*> g_bridge{nullptr};

const sinker_uv_bridge& Bridge() {
  const sinker_uv_bridge* b = g_bridge.load(std::memory_order_acquire);
  if (b == nullptr) {
    fprintf(stderr, "bun-uv-shim: no uv bridge: load uvbridge.node and call setUvBridge() "
                    "before creating a client\n");
    abort();
  }
  return *b;
}

// A dropped task only happens while the runtime shuts down; nothing waits for it then.
void Post(void (*fn)(void*), void* arg) { (void)Bridge().post(fn, arg); }

// Bit set in uv_handle_t::flags once uv_close() was called (libuv keeps its own flags private).
constexpr unsigned int kClosing = 1u << 30;

int ThreadPoolSize() {
  const char* v = getenv("UV_THREADPOOL_SIZE");
  int n = v ? atoi(v) : 0;
  return n > 0 && n <= 1024 ? n : 4;
}

// uv_queue_work's pool: like libuv's, a fixed set of threads (UV_THREADPOOL_SIZE, default 4)
// started on first use. Each finished request is posted back to the JS thread for its
// after_work_cb, which is where libuv would call it.
class WorkPool {
 public:
  void Submit(uv_work_t* req) {
    std::call_once(started_, [this] { Start(); });
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(req);
    }
    ready_.notify_one();
  }

 private:
  void Start() {
    for (int i = ThreadPoolSize(); i > 0; i--) std::thread([this] { Run(); }).detach();
  }

  [[noreturn]] void Run() {
    for (;;) {
      uv_work_t* req;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty(); });
        req = queue_.front();
        queue_.pop_front();
      }
      req->work_cb(req);
      Post(AfterWork, req);
    }
  }

  static void AfterWork(void* arg) {
    uv_work_t* req = static_cast<uv_work_t*>(arg);
    Bridge().unref();
    if (req->after_work_cb) req->after_work_cb(req, 0);
  }

  std::once_flag started_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<uv_work_t*> queue_;
};

// Never destroyed: detached threads may still use it while the process exits.
WorkPool& Pool() {
  static WorkPool* pool = new WorkPool();
  return *pool;
}

void RunAsync(void* arg) {
  uv_async_t* h = static_cast<uv_async_t*>(arg);
  reinterpret_cast<std::atomic<int>*>(&h->pending)->store(0, std::memory_order_release);
  if (!(h->flags & kClosing) && h->async_cb) h->async_cb(h);
}

void RunClose(void* arg) {
  uv_handle_t* h = static_cast<uv_handle_t*>(arg);
  Bridge().unref();
  if (h->close_cb) h->close_cb(h);
}

uv_loop_t g_loop;

}  // namespace

namespace sinker {

// setUvBridge(buffer): buffer holds the address of uvbridge.node's table (see uvbridge.c).
NAN_METHOD(SetUvBridge) {
  const sinker_uv_bridge* table = nullptr;
  if (info.Length() < 1 || !node::Buffer::HasInstance(info[0]) ||
      node::Buffer::Length(info[0]) != sizeof table) {
    return Nan::ThrowTypeError("setUvBridge(buffer): pass uvbridge.node's `bridge` export");
  }
  memcpy(&table, node::Buffer::Data(info[0]), sizeof table);
  if (table == nullptr || table->magic != SINKER_UV_BRIDGE_MAGIC ||
      table->version != SINKER_UV_BRIDGE_VERSION) {
    return Nan::ThrowError("setUvBridge: uvbridge.node is from another build of the addon");
  }
  g_bridge.store(table, std::memory_order_release);
}

}  // namespace sinker

extern "C" {

uv_loop_t* uv_default_loop(void) { return &g_loop; }

// Handles: JS thread only, as in libuv. Each open handle holds one ref on the bridge, so the
// process stays alive while a client is connected, as it does on Node.
int uv_async_init(uv_loop_t* loop, uv_async_t* h, uv_async_cb cb) {
  // Fields one by one, as libuv does: callers may have set h->data already.
  h->loop = loop;
  h->type = UV_ASYNC;
  h->async_cb = cb;
  h->close_cb = nullptr;
  h->flags = 0;
  h->pending = 0;
  Bridge().ref();
  return 0;
}

// Any thread. Sends that arrive before the callback ran coalesce into one call, as in libuv.
int uv_async_send(uv_async_t* h) {
  auto* pending = reinterpret_cast<std::atomic<int>*>(&h->pending);
  if (pending->exchange(1, std::memory_order_acq_rel) == 0) Post(RunAsync, h);
  return 0;
}

// The close callback is queued behind any async callback already posted for this handle
// (the bridge is FIFO), so it always runs last and may free the handle.
void uv_close(uv_handle_t* h, uv_close_cb cb) {
  h->flags |= kClosing;
  h->close_cb = cb;
  Post(RunClose, h);
}

int uv_queue_work(uv_loop_t* loop, uv_work_t* req, uv_work_cb work_cb,
                  uv_after_work_cb after_work_cb) {
  if (work_cb == nullptr) return UV_EINVAL;
  req->loop = loop;
  req->type = UV_WORK;
  req->work_cb = work_cb;
  req->after_work_cb = after_work_cb;
  Bridge().ref();
  Pool().Submit(req);
  return 0;
}

// Locks and threads: plain pthreads. libuv aborts on a failed lock/unlock; so do these.
int uv_mutex_init(uv_mutex_t* m) { return -pthread_mutex_init(m, nullptr); }
void uv_mutex_destroy(uv_mutex_t* m) { pthread_mutex_destroy(m); }
void uv_mutex_lock(uv_mutex_t* m) {
  if (pthread_mutex_lock(m)) abort();
}
void uv_mutex_unlock(uv_mutex_t* m) {
  if (pthread_mutex_unlock(m)) abort();
}

int uv_rwlock_init(uv_rwlock_t* l) { return -pthread_rwlock_init(l, nullptr); }
void uv_rwlock_destroy(uv_rwlock_t* l) { pthread_rwlock_destroy(l); }
void uv_rwlock_rdlock(uv_rwlock_t* l) {
  if (pthread_rwlock_rdlock(l)) abort();
}
void uv_rwlock_rdunlock(uv_rwlock_t* l) {
  if (pthread_rwlock_unlock(l)) abort();
}
void uv_rwlock_wrlock(uv_rwlock_t* l) {
  if (pthread_rwlock_wrlock(l)) abort();
}
void uv_rwlock_wrunlock(uv_rwlock_t* l) {
  if (pthread_rwlock_unlock(l)) abort();
}

int uv_thread_create(uv_thread_t* tid, uv_thread_cb entry, void* arg) {
  struct Start {
    uv_thread_cb entry;
    void* arg;
  };
  auto* start = new Start{entry, arg};
  int err = pthread_create(
      tid, nullptr,
      [](void* p) -> void* {
        Start s = *static_cast<Start*>(p);
        delete static_cast<Start*>(p);
        s.entry(s.arg);
        return nullptr;
      },
      start);
  if (err) delete start;
  return -err;
}

int uv_thread_join(uv_thread_t* tid) { return -pthread_join(*tid, nullptr); }

}  // extern "C"
