/*
 * rowcodec: the native row encoder's core. Pure C11, no N-API: a plan (a compact byte
 * description of one schema, written by src/schema/native/plan.ts) is parsed once into an
 * rc_plan; rc_encode_run then turns a run of JSON messages into ClickHouse JSONEachRow rows,
 * byte for byte what src/schema/fast writes, declining whatever it cannot prove. The plan is
 * immutable once parsed; all per-call state lives in an rc_scratch, one per calling thread.
 */
#ifndef SINKER_ROWCODEC_H
#define SINKER_ROWCODEC_H

#include <stddef.h>
#include <stdint.h>

/* Stop reasons of a run: the RUN_* of src/schema/run-encoder.ts. */
#define RC_RUN_DONE 0
#define RC_RUN_DECLINED 1
#define RC_RUN_ROOM 2
#define RC_RUN_FULL 3

typedef struct rc_plan rc_plan;
typedef struct rc_scratch rc_scratch;

/* Parses a plan; NULL (with a reason in err) when it is malformed. */
rc_plan *rc_plan_parse(const uint8_t *bytes, size_t n, char *err, size_t err_size);
void rc_plan_free(rc_plan *plan);

/* Scratch for one thread encoding with `plan`; NULL when out of memory. */
rc_scratch *rc_scratch_new(const rc_plan *plan);
void rc_scratch_free(rc_scratch *scratch);

/* One packed batch's value region, as source/packed-batch lays it out. */
typedef struct {
  const uint8_t *values;
  size_t values_len;
  const uint32_t *value_end;
  const uint8_t *flags;
  size_t count;
  int sep;
} rc_input;

typedef struct {
  uint32_t decline_flags;
  size_t max_value_bytes;
} rc_policy;

/*
 * Encodes messages [from, to) at out[pos...] (see RunEncoder.encodeRun). The caller has checked
 * to <= input->count, row_ends has to - from entries, pos <= out_len. Returns count * 4 + RC_RUN_*.
 */
uint64_t rc_encode_run(const rc_plan *plan, rc_scratch *scratch, const rc_input *input,
                       const rc_policy *policy, size_t from, size_t to, uint8_t *out,
                       size_t out_len, size_t pos, size_t limit, uint32_t *row_ends);

#endif
