/*
 * uvbridge.node: an N-API addon that lets the Kafka addon (a NAN addon) run code on Bun's JS
 * thread, which Bun 1.4's uv_async_* / uv_queue_work stubs cannot do. It owns one
 * napi_threadsafe_function and exports its post/ref/unref as a sinker_uv_bridge table.
 * It never runs Kafka code itself and never blocks the caller of post().
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>

#include "../src/uv-bridge.h"

typedef struct task {
  void (*fn)(void *);
  void *arg;
} task;

static napi_env g_env;
static napi_threadsafe_function g_tsfn;
/* Touched on the JS thread only (ref/unref), so a plain int is enough. */
static int g_refs;

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  task *t = (task *)data;
  /* env is NULL when the function is being torn down at exit: drop the task. */
  if (env != NULL) t->fn(t->arg);
  free(t);
}

static int post(void (*fn)(void *), void *arg) {
  task *t = malloc(sizeof *t);
  if (t == NULL) return -1;
  t->fn = fn;
  t->arg = arg;
  napi_status s = napi_call_threadsafe_function(g_tsfn, t, napi_tsfn_nonblocking);
  if (s == napi_ok) return 0;
  free(t);
  if (s != napi_closing) {
    fprintf(stderr, "uvbridge: napi_call_threadsafe_function failed (%d)\n", s);
  }
  return -1;
}

static void ref(void) {
  if (g_refs++ == 0) napi_ref_threadsafe_function(g_env, g_tsfn);
}

static void unref(void) {
  if (g_refs > 0 && --g_refs == 0) napi_unref_threadsafe_function(g_env, g_tsfn);
}

static const sinker_uv_bridge g_bridge = {
    SINKER_UV_BRIDGE_MAGIC, SINKER_UV_BRIDGE_VERSION, post, ref, unref};

static napi_status create_tsfn(napi_env env) {
  napi_value name;
  napi_status s = napi_create_string_utf8(env, "sinker-uvbridge", NAPI_AUTO_LENGTH, &name);
  if (s != napi_ok) return s;
  s = napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, call_js,
                                      &g_tsfn);
  if (s != napi_ok) return s;
  g_env = env;
  /* Idle until the Kafka addon holds a handle or a pending work request (see ref()). */
  return napi_unref_threadsafe_function(env, g_tsfn);
}

NAPI_MODULE_INIT() {
  if (g_tsfn == NULL && create_tsfn(env) != napi_ok) {
    napi_throw_error(env, NULL, "uvbridge: cannot create the threadsafe function");
    return NULL;
  }
  /* The table's address travels as the bytes of a Buffer: plain data every runtime copies
   * faithfully, read back by setUvBridge() in the Kafka addon. */
  const sinker_uv_bridge *table = &g_bridge;
  napi_value bytes;
  if (napi_create_buffer_copy(env, sizeof table, &table, NULL, &bytes) != napi_ok ||
      napi_set_named_property(env, exports, "bridge", bytes) != napi_ok) {
    napi_throw_error(env, NULL, "uvbridge: cannot export the bridge table");
    return NULL;
  }
  return exports;
}
