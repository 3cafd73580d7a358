/*
 * rowcodec.node: the N-API face of the rowcodec core. Two functions:
 *   compile(plan: Uint8Array) -> External   (throws on a malformed plan)
 *   encodeRun(encoder, values, valueEnd, flags, sep, declineFlags, maxValueBytes,
 *             from, to, out, pos, limit, rowEnds) -> count * 4 + RUN_*
 * The External owns the parsed plan and one scratch; JS is single-threaded per encoder, so
 * calls never share a scratch. Arguments are checked here so the core can trust them.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>

#include "rowcodec.h"

typedef struct {
  rc_plan *plan;
  rc_scratch *scratch;
} encoder;

static void encoder_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  encoder *e = data;
  rc_scratch_free(e->scratch);
  rc_plan_free(e->plan);
  free(e);
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data,
                 size_t *length) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok)
    return 0;
  return type == want;
}

static napi_value compile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  void *bytes = NULL;
  size_t n = 0;
  if (argc < 1 || !typed(env, argv[0], napi_uint8_array, &bytes, &n)) {
    napi_throw_type_error(env, NULL, "rowcodec.compile: expected a Uint8Array plan");
    return NULL;
  }
  char err[128] = "";
  encoder *e = calloc(1, sizeof *e);
  if (e == NULL) {
    napi_throw_error(env, NULL, "rowcodec.compile: out of memory");
    return NULL;
  }
  e->plan = rc_plan_parse(bytes, n, err, sizeof err);
  if (e->plan == NULL) {
    free(e);
    napi_throw_error(env, NULL, err);
    return NULL;
  }
  e->scratch = rc_scratch_new(e->plan);
  napi_value ext;
  if (e->scratch == NULL || napi_create_external(env, e, encoder_free, NULL, &ext) != napi_ok) {
    encoder_free(env, e, NULL);
    napi_throw_error(env, NULL, "rowcodec.compile: out of memory");
    return NULL;
  }
  return ext;
}

/* A non-negative integer argument, or -1. */
static double number(napi_env env, napi_value v) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > 9007199254740991.0)
    return -1;
  return d;
}

static napi_value encode_run(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value a[13];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok) return NULL;
  encoder *e = NULL;
  rc_input in;
  void *values, *value_end, *flags, *out, *row_ends;
  size_t values_len, ends_len, flags_len, out_len, row_ends_len;
  int32_t sep;
  double decline_flags, max_value, from, to, pos, limit;
  if (argc < 13 || napi_get_value_external(env, a[0], (void **)&e) != napi_ok || e == NULL ||
      !typed(env, a[1], napi_uint8_array, &values, &values_len) ||
      !typed(env, a[2], napi_uint32_array, &value_end, &ends_len) ||
      !typed(env, a[3], napi_uint8_array, &flags, &flags_len) ||
      napi_get_value_int32(env, a[4], &sep) != napi_ok ||
      !typed(env, a[9], napi_uint8_array, &out, &out_len) ||
      !typed(env, a[12], napi_uint32_array, &row_ends, &row_ends_len)) {
    napi_throw_type_error(env, NULL, "rowcodec.encodeRun: bad arguments");
    return NULL;
  }
  decline_flags = number(env, a[5]);
  max_value = number(env, a[6]);
  from = number(env, a[7]);
  to = number(env, a[8]);
  pos = number(env, a[10]);
  limit = number(env, a[11]);
  if (decline_flags < 0 || max_value < 0 || from < 0 || to < from || pos < 0 || limit < 0 ||
      to > (double)ends_len || to > (double)flags_len || to - from > (double)row_ends_len ||
      pos > (double)out_len || out_len > 0xffffffffu) {
    napi_throw_range_error(env, NULL, "rowcodec.encodeRun: arguments out of range");
    return NULL;
  }
  in.values = values;
  in.values_len = values_len;
  in.value_end = value_end;
  in.flags = flags;
  in.count = ends_len;
  in.sep = sep;
  rc_policy policy = {(uint32_t)decline_flags, (size_t)max_value};
  uint64_t r = rc_encode_run(e->plan, e->scratch, &in, &policy, (size_t)from, (size_t)to, out,
                             out_len, (size_t)pos, (size_t)limit, row_ends);
  napi_value result;
  napi_create_double(env, (double)r, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"compile", NULL, compile, NULL, NULL, NULL, napi_enumerable, NULL},
      {"encodeRun", NULL, encode_run, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 2, props) != napi_ok) {
    napi_throw_error(env, NULL, "rowcodec: cannot define its functions");
    return NULL;
  }
  return exports;
}
