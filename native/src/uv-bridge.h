/*
 * The table that uvbridge.node hands to the Kafka addon: a way to run a function on Bun's JS
 * thread. Shared by native/uvbridge/uvbridge.c (which fills it) and bun-uv-shim.cc (which uses
 * it). Change SINKER_UV_BRIDGE_VERSION whenever the layout changes.
 */
#ifndef SINKER_UV_BRIDGE_H_
#define SINKER_UV_BRIDGE_H_

#include <stdint.h>

#define SINKER_UV_BRIDGE_MAGIC 0x53554231u /* "SUB1" */
#define SINKER_UV_BRIDGE_VERSION 1u

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sinker_uv_bridge {
  uint32_t magic;
  uint32_t version;
  /* Queues fn(arg) to run on the JS thread, in FIFO order; callable from any thread. Returns 0,
   * or -1 when the runtime is shutting down and the task was dropped. */
  int (*post)(void (*fn)(void *), void *arg);
  /* Keep the event loop alive while at least one ref is held. JS thread only. */
  void (*ref)(void);
  void (*unref)(void);
} sinker_uv_bridge;

#ifdef __cplusplus
}
#endif

#endif /* SINKER_UV_BRIDGE_H_ */
