/*
 * rowcodec core: the C port of src/schema/fast (message-scan, json-scan, row-writer, the
 * convert-* converters, number-token, string-body, compact-json, datetime-bytes). Every rule
 * there is kept; where porting one exactly would need a time zone's rules, the value is declined
 * (the caller takes the JS path). Writes only below out_len: a row that does not fit is reported,
 * never cut.
 */
#include "rowcodec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SSE2 is part of x86-64; elsewhere (or with RC_SWAR) strings are skipped eight bytes at a time. */
#if defined(__SSE2__) && !defined(RC_SWAR)
#include <emmintrin.h>
#define RC_SSE2 1
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "rowcodec reads words little-endian (the first byte is the lowest)"
#endif

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint32_t load32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* ---- the plan ---------------------------------------------------------------------------- */

#define PLAN_MAGIC 0x31504352u /* "RCP1" */
/* Bytes a writer may store past a row's end (wide stores); counted in every row's bound. */
#define ROW_SLACK 64
_Static_assert(ROW_SLACK >= 32, "put_key stores 32 bytes at once");

enum {
  T_INT = 1,
  T_FLOAT = 2,
  T_DECIMAL = 3,
  T_BOOL = 4,
  T_STRING = 5,
  T_UUID = 6,
  T_IP = 7,
  T_ENUM = 8,
  T_DATE = 9,
  T_DATETIME = 10,
  T_DT64 = 11,
  T_NULLABLE = 12,
  T_ARRAY = 13,
  T_DECLINE = 14
};

typedef struct {
  const uint8_t *p;
  uint32_t n;
} rc_bytes;

typedef struct {
  int32_t value;
  rc_bytes name;
  rc_bytes quoted;
} rc_member;

typedef struct rc_type {
  uint32_t kind;
  /* int: bits, signed; decimal: precision, scale; ip: version; date: wide; dt64: precision */
  uint32_t a, b;
  /* string: the most text bytes, or -1 */
  int64_t max_bytes;
  /* date: day range; datetime, dt64: second range */
  int64_t min, max;
  /* date, datetime, dt64: the zone is UTC (wall-clock text needs no zone rules) */
  uint32_t utc;
  /* int: the type's maximum and (signed) minimum magnitude as digits */
  rc_bytes max_text, min_text;
  uint32_t nmembers;
  rc_member *members;
  /* nullable, array: the inner type; array: whether its elements are nullable */
  struct rc_type *inner;
  uint32_t inner_nullable;
  /* The value's text is at most grow * (token bytes) + fixed bytes (see type_bound). */
  uint64_t grow, fixed;
  struct rc_type *next_alloc;
} rc_type;

#define TABLE_SIZE 512
#define TABLE_MASK (TABLE_SIZE - 1)
#define MAX_ENTRIES (TABLE_SIZE / 2)

typedef struct {
  rc_bytes key;
  /* key_words of the key: with its length, equal words mean equal keys up to 16 bytes. */
  uint64_t w0, w1;
  uint32_t slot;
  uint32_t declines;
  int32_t child;
  /* A row grows by at most grow * (bytes of this key's value): its columns' type grows summed. */
  uint64_t grow;
} rc_entry;

typedef struct {
  uint32_t n;
  rc_entry *entries;
  uint16_t table[TABLE_SIZE];
} rc_level;

/* Column keys are kept as `,"name":` in KEY_PAD-padded copies, so short ones move in one go. */
#define KEY_PAD 32

typedef struct {
  rc_bytes key; /* "name": */
  uint8_t *comma_key; /* ,"name": and KEY_PAD zero bytes */
  uint32_t slot;
  uint32_t nullable;
  rc_type *type;
} rc_column;

struct rc_plan {
  uint8_t *bytes;
  uint32_t slots;
  uint32_t nlevels;
  rc_level *levels;
  uint32_t ncolumns;
  rc_column *columns;
  rc_type *types;
  /* A row is at most row_fixed + the sum over the keys found of entry grow * (value bytes). */
  uint64_t row_fixed;
  /* Set when the bounds could overflow (absurd schemas): every message is declined. */
  int unbounded;
};

typedef struct {
  const uint8_t *p;
  size_t n;
  size_t at;
  int bad;
} reader;

static uint32_t rd_u32(reader *r) {
  if (r->bad || r->n - r->at < 4) {
    r->bad = 1;
    return 0;
  }
  const uint8_t *p = r->p + r->at;
  r->at += 4;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t rd_i64(reader *r) {
  uint64_t lo = rd_u32(r);
  uint64_t hi = rd_u32(r);
  return (int64_t)(lo | hi << 32);
}

static rc_bytes rd_bytes(reader *r) {
  rc_bytes b = {NULL, 0};
  uint32_t n = rd_u32(r);
  if (r->bad || r->n - r->at < n) {
    r->bad = 1;
    return b;
  }
  b.p = r->p + r->at;
  b.n = n;
  r->at += n;
  return b;
}

/*
 * Two words that hold every byte of a key up to 16 bytes (overlapping loads, never past the
 * key): keys of one length are equal exactly when their words are (longer ones also compare
 * the rest).
 */
static inline void key_words(const uint8_t *p, size_t n, uint64_t *w0, uint64_t *w1) {
  if (n >= 8) {
    *w0 = load64(p);
    *w1 = load64(p + n - 8);
  } else if (n >= 4) {
    *w0 = load32(p);
    *w1 = load32(p + n - 4);
  } else if (n > 0) {
    *w0 = (uint64_t)p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
    *w1 = 0;
  } else {
    *w0 = 0;
    *w1 = 0;
  }
}

static inline unsigned key_cell(uint64_t w0, uint64_t w1, size_t n) {
  uint64_t h = (w0 ^ (w1 * 0x9e3779b97f4a7c15ull) ^ n) * 0xff51afd7ed558ccdull;
  return (unsigned)(h >> 40) & TABLE_MASK;
}

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/*
 * What a converter can write for a token of n bytes: at most grow * n + fixed. Strings double at
 * worst (compact JSON escapes quotes; nested escapes: `\u0001` is 7 bytes for 6); decimals pad
 * the scale; an array adds a comma and its element's fixed part per element (at most one per
 * byte); null (4 bytes for 4) is covered by grow >= 1.
 */
static void type_bound(rc_type *t) {
  uint64_t grow = 1, fixed = 0;
  switch (t->kind) {
  case T_DECIMAL: fixed = t->b + 2; break;
  case T_BOOL: fixed = 5; break;
  case T_STRING: grow = 2, fixed = 2; break;
  case T_UUID: fixed = 38; break;
  case T_ENUM:
    for (uint32_t k = 0; k < t->nmembers; k++) fixed = max_u64(fixed, t->members[k].quoted.n);
    break;
  case T_DATE: fixed = 12; break;
  case T_DATETIME:
  case T_DT64: fixed = 22; break;
  case T_NULLABLE:
    grow = max_u64(1, t->inner->grow);
    fixed = t->inner->fixed;
    break;
  case T_ARRAY:
    grow = 1 + max_u64(1, t->inner->grow) + t->inner->fixed;
    fixed = 2;
    break;
  default: break;
  }
  t->grow = grow;
  t->fixed = fixed;
}

static rc_type *rd_type(reader *r, rc_plan *plan, int depth) {
  if (r->bad || depth > 64) {
    r->bad = 1;
    return NULL;
  }
  rc_type *t = calloc(1, sizeof *t);
  if (t == NULL) {
    r->bad = 1;
    return NULL;
  }
  t->next_alloc = plan->types;
  plan->types = t;
  t->kind = rd_u32(r);
  switch (t->kind) {
  case T_INT:
    t->a = rd_u32(r);
    t->b = rd_u32(r);
    t->max_text = rd_bytes(r);
    t->min_text = rd_bytes(r);
    break;
  case T_DECIMAL:
    t->a = rd_u32(r);
    t->b = rd_u32(r);
    if (t->b > t->a) r->bad = 1;
    break;
  case T_STRING:
    t->max_bytes = rd_i64(r);
    break;
  case T_IP:
    t->a = rd_u32(r);
    break;
  case T_ENUM:
    t->nmembers = rd_u32(r);
    if (r->bad || t->nmembers > 65536) {
      r->bad = 1;
      break;
    }
    t->members = calloc(t->nmembers + 1, sizeof *t->members);
    if (t->members == NULL) {
      r->bad = 1;
      break;
    }
    for (uint32_t k = 0; k < t->nmembers; k++) {
      t->members[k].value = (int32_t)rd_u32(r);
      t->members[k].name = rd_bytes(r);
      t->members[k].quoted = rd_bytes(r);
    }
    break;
  case T_DATE:
  case T_DATETIME:
  case T_DT64:
    t->a = rd_u32(r);
    t->utc = rd_u32(r);
    t->min = rd_i64(r);
    t->max = rd_i64(r);
    if (t->kind == T_DT64 && t->a > 9) r->bad = 1;
    break;
  case T_NULLABLE:
    t->inner = rd_type(r, plan, depth + 1);
    break;
  case T_ARRAY:
    t->inner_nullable = rd_u32(r);
    t->inner = rd_type(r, plan, depth + 1);
    break;
  case T_FLOAT:
  case T_BOOL:
  case T_UUID:
  case T_DECLINE:
    break;
  default:
    r->bad = 1;
  }
  if (!r->bad) type_bound(t);
  return t;
}

void rc_plan_free(rc_plan *plan) {
  if (plan == NULL) return;
  for (rc_type *t = plan->types; t != NULL;) {
    rc_type *next = t->next_alloc;
    free(t->members);
    free(t);
    t = next;
  }
  if (plan->levels != NULL)
    for (uint32_t k = 0; k < plan->nlevels; k++) free(plan->levels[k].entries);
  free(plan->levels);
  if (plan->columns != NULL)
    for (uint32_t k = 0; k < plan->ncolumns; k++) free(plan->columns[k].comma_key);
  free(plan->columns);
  free(plan->bytes);
  free(plan);
}

static rc_plan *plan_fail(rc_plan *plan, char *err, size_t err_size, const char *why) {
  snprintf(err, err_size, "rowcodec: bad plan: %s", why);
  rc_plan_free(plan);
  return NULL;
}

rc_plan *rc_plan_parse(const uint8_t *bytes, size_t n, char *err, size_t err_size) {
  rc_plan *plan = calloc(1, sizeof *plan);
  if (plan == NULL) return plan_fail(plan, err, err_size, "out of memory");
  plan->bytes = malloc(n ? n : 1);
  if (plan->bytes == NULL) return plan_fail(plan, err, err_size, "out of memory");
  memcpy(plan->bytes, bytes, n);
  reader r = {plan->bytes, n, 0, 0};
  if (rd_u32(&r) != PLAN_MAGIC) return plan_fail(plan, err, err_size, "magic");
  plan->slots = rd_u32(&r);
  plan->nlevels = rd_u32(&r);
  if (r.bad || plan->nlevels == 0 || plan->nlevels > 65536 || plan->slots > 1u << 20)
    return plan_fail(plan, err, err_size, "header");
  plan->levels = calloc(plan->nlevels, sizeof *plan->levels);
  if (plan->levels == NULL) return plan_fail(plan, err, err_size, "out of memory");
  for (uint32_t l = 0; l < plan->nlevels; l++) {
    rc_level *level = &plan->levels[l];
    level->n = rd_u32(&r);
    if (r.bad || level->n > MAX_ENTRIES) return plan_fail(plan, err, err_size, "level");
    level->entries = calloc(level->n + 1, sizeof *level->entries);
    if (level->entries == NULL) return plan_fail(plan, err, err_size, "out of memory");
    for (uint32_t k = 0; k < level->n; k++) {
      rc_entry *e = &level->entries[k];
      e->key = rd_bytes(&r);
      e->slot = rd_u32(&r);
      e->declines = rd_u32(&r);
      e->child = (int32_t)rd_u32(&r);
      if (r.bad || e->slot >= plan->slots || e->child >= (int32_t)plan->nlevels || e->child < -1)
        return plan_fail(plan, err, err_size, "entry");
      key_words(e->key.p, e->key.n, &e->w0, &e->w1);
      unsigned cell = key_cell(e->w0, e->w1, e->key.n);
      while (level->table[cell] != 0) cell = (cell + 1) & TABLE_MASK;
      level->table[cell] = (uint16_t)(k + 1);
    }
  }
  plan->ncolumns = rd_u32(&r);
  if (r.bad || plan->ncolumns > 1u << 16) return plan_fail(plan, err, err_size, "columns");
  plan->columns = calloc(plan->ncolumns + 1, sizeof *plan->columns);
  if (plan->columns == NULL) return plan_fail(plan, err, err_size, "out of memory");
  for (uint32_t k = 0; k < plan->ncolumns; k++) {
    rc_column *c = &plan->columns[k];
    c->key = rd_bytes(&r);
    c->slot = rd_u32(&r);
    c->nullable = rd_u32(&r);
    c->type = rd_type(&r, plan, 0);
    if (r.bad || c->slot >= plan->slots) return plan_fail(plan, err, err_size, "column");
    c->comma_key = calloc((size_t)c->key.n + 1 + KEY_PAD, 1);
    if (c->comma_key == NULL) return plan_fail(plan, err, err_size, "out of memory");
    c->comma_key[0] = 0x2c;
    memcpy(c->comma_key + 1, c->key.p, c->key.n);
  }
  if (r.bad || r.at != n) return plan_fail(plan, err, err_size, "trailer");
  uint64_t *slot_grow = calloc(plan->slots ? plan->slots : 1, sizeof *slot_grow);
  if (slot_grow == NULL) return plan_fail(plan, err, err_size, "out of memory");
  /* `{`, `}\n` and room for the writers' wide stores; per column `,"name":` and its fixed part. */
  plan->row_fixed = 3 + ROW_SLACK;
  uint64_t grow = 0;
  for (uint32_t k = 0; k < plan->ncolumns; k++) {
    const rc_column *c = &plan->columns[k];
    slot_grow[c->slot] += c->type->grow;
    plan->row_fixed += 1 + c->key.n + max_u64(4, c->type->fixed);
    grow += c->type->grow;
    /* Kept far from overflow: bounds are at most 2^28 * 2^32 (token bytes) + 2^40. */
    if (grow > 1u << 28 || plan->row_fixed > (uint64_t)1 << 40) plan->unbounded = 1;
  }
  for (uint32_t l = 0; l < plan->nlevels; l++)
    for (uint32_t k = 0; k < plan->levels[l].n; k++)
      plan->levels[l].entries[k].grow = slot_grow[plan->levels[l].entries[k].slot];
  free(slot_grow);
  return plan;
}

/* ---- scratch ----------------------------------------------------------------------------- */

/* compact-json: objects with more keys are declined; the key stack spans all open objects. */
#define MAX_KEYS 64
#define KEY_STACK (32 * MAX_KEYS)

/* What the scan found for a slot: valid when gen is the scratch's generation. */
typedef struct {
  uint32_t gen;
  uint8_t kind;
  uint8_t flags;
  int64_t start, end;
} rc_slot;

struct rc_scratch {
  uint32_t slots;
  uint32_t generation;
  rc_slot *found;
  /* Where a row that might not fit below out_len is written first (rc_encode_run). */
  uint8_t *spill;
  size_t spill_size;
  int64_t keys[2 * KEY_STACK];
};

rc_scratch *rc_scratch_new(const rc_plan *plan) {
  rc_scratch *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  size_t n = plan->slots ? plan->slots : 1;
  s->slots = plan->slots;
  s->found = calloc(n, sizeof *s->found);
  if (s->found == NULL) {
    rc_scratch_free(s);
    return NULL;
  }
  return s;
}

void rc_scratch_free(rc_scratch *s) {
  if (s == NULL) return;
  free(s->found);
  free(s->spill);
  free(s);
}

/* ---- json-scan --------------------------------------------------------------------------- */

enum { K_STRING = 1, K_NUMBER, K_TRUE, K_FALSE, K_NULL, K_OBJECT, K_ARRAY };
/* Token flags: of a string, its escapes and non-ASCII bytes; of a number, a fraction or exponent. */
#define HAS_ESCAPE 1
#define NON_ASCII 2
#define NUM_NOT_INT 4
#define MAX_FAST_DEPTH 32

typedef struct {
  int kind;
  int64_t start;
  int64_t end;
  int flags;
} token;

static int is_stop(uint8_t c) { return c < 0x20 || c == 0x22 || c == 0x5c || c >= 0x80; }

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Skips plain string bytes (none of `"`, `\`, controls, non-ASCII) eight at a time. */
static inline int64_t skip_plain(const uint8_t *src, int64_t i, int64_t end) {
#ifdef RC_SSE2
  /* Signed bytes below 0x20 are the controls and everything from 0x80. */
  const __m128i quote = _mm_set1_epi8(0x22), slash = _mm_set1_epi8(0x5c);
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - i >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(src + i));
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, slash)),
                                _mm_cmplt_epi8(x, space));
    unsigned mask = (unsigned)_mm_movemask_epi8(stop);
    if (mask != 0) return i + __builtin_ctz(mask);
    i += 16;
  }
#endif
  while (end - i >= 8) {
    uint64_t x = load64(src + i);
    uint64_t quote = x ^ (ONES * 0x22), slash = x ^ (ONES * 0x5c);
    /*
     * A high bit per byte that is zero (after the xor), below 0x20, or at least 0x80. Borrows
     * only carry upward from a byte that is itself a stop, so the lowest bit set is exact.
     */
    uint64_t stop =
        (((quote - ONES) & ~quote) | ((slash - ONES) & ~slash) | (x - ONES * 0x20) | x) & HIGHS;
    if (stop != 0) return i + (__builtin_ctzll(stop) >> 3);
    i += 8;
  }
  while (i < end && !is_stop(src[i])) i++;
  return i;
}

static inline int64_t skip_ws(const uint8_t *src, int64_t i, int64_t end) {
  if (i < end && src[i] > 0x20) return i;
  while (i < end) {
    uint8_t c = src[i];
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return i;
    i++;
  }
  return i;
}

static int hex_value(uint8_t c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  uint8_t l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

static int64_t escape_end(const uint8_t *src, int64_t i, int64_t end) {
  if (i + 1 >= end) return -1;
  uint8_t c = src[i + 1];
  if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
      c == 't')
    return i + 2;
  if (c != 'u' || i + 6 > end) return -1;
  for (int64_t k = i + 2; k < i + 6; k++)
    if (hex_value(src[k]) < 0) return -1;
  return i + 6;
}

/* The end of the UTF-8 sequence at i, or -1 for what TextDecoder would replace. */
static int64_t utf8_end(const uint8_t *src, int64_t i, int64_t end) {
  uint8_t c = src[i];
  int n;
  uint8_t lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf)
    n = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 2;
    if (c == 0xe0)
      lo = 0xa0;
    else if (c == 0xed)
      hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 3;
    if (c == 0xf0)
      lo = 0x90;
    else if (c == 0xf4)
      hi = 0x8f;
  } else
    return -1;
  if (i + n >= end) return -1;
  uint8_t c1 = src[i + 1];
  if (c1 < lo || c1 > hi) return -1;
  for (int k = 2; k <= n; k++) {
    uint8_t ck = src[i + k];
    if (ck < 0x80 || ck > 0xbf) return -1;
  }
  return i + n + 1;
}

static int64_t digits_end(const uint8_t *src, int64_t i, int64_t end) {
  while (i < end && src[i] >= 0x30 && src[i] <= 0x39) i++;
  return i;
}

/* The end of the number at i, or -1; ORs NUM_NOT_INT into *flags for a fraction or exponent. */
static inline int64_t scan_number(const uint8_t *src, int64_t i, int64_t end, int *flags) {
  if (src[i] == 0x2d) i++;
  if (i >= end) return -1;
  if (src[i] == 0x30)
    i++;
  else {
    int64_t d = digits_end(src, i, end);
    if (d == i) return -1;
    i = d;
  }
  if (i < end && src[i] == 0x2e) {
    int64_t d = digits_end(src, i + 1, end);
    if (d == i + 1) return -1;
    i = d;
    *flags |= NUM_NOT_INT;
  }
  if (i < end && (src[i] | 0x20) == 0x65) {
    *flags |= NUM_NOT_INT;
    i++;
    if (i < end && (src[i] == 0x2b || src[i] == 0x2d)) i++;
    int64_t d = digits_end(src, i, end);
    if (d == i) return -1;
    i = d;
  }
  return i;
}

/* The rest of a string from the stop byte at i (scan_string's rare part). */
static int64_t scan_string_rest(const uint8_t *src, int64_t i, int64_t end, int *flags) {
  while (i < end) {
    uint8_t c = src[i];
    if (c == 0x22) return i + 1;
    if (c == 0x5c) {
      *flags |= HAS_ESCAPE;
      i = escape_end(src, i, end);
    } else if (c >= 0x80) {
      *flags |= NON_ASCII;
      i = utf8_end(src, i, end);
    } else
      return -1;
    if (i < 0) return -1;
    i = skip_plain(src, i, end);
  }
  return -1;
}

/* The string at the quote i; ORs HAS_ESCAPE / NON_ASCII into *flags. */
static inline int64_t scan_string(const uint8_t *src, int64_t i, int64_t end, int *flags) {
  i = skip_plain(src, i + 1, end);
  if (i < end && src[i] == 0x22) return i + 1;
  return scan_string_rest(src, i, end, flags);
}

static int64_t skip_object(const uint8_t *src, int64_t i, int64_t end, int depth);
static int64_t skip_array(const uint8_t *src, int64_t i, int64_t end, int depth);

static int64_t literal(const uint8_t *src, int64_t i, int64_t end, const char *rest, int n) {
  if (i + n > end) return -1;
  for (int k = 1; k < n; k++)
    if (src[i + k] != (uint8_t)rest[k - 1]) return -1;
  return i + n;
}

static int64_t scan_value(const uint8_t *src, int64_t i, int64_t end, token *t, int depth) {
  if (i >= end) return -1;
  uint8_t c = src[i];
  t->start = i;
  t->flags = 0;
  int64_t e;
  if (c == 0x22) {
    t->kind = K_STRING;
    e = scan_string(src, i, end, &t->flags);
  } else if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
    t->kind = K_NUMBER;
    e = scan_number(src, i, end, &t->flags);
  } else if (c == 0x7b) {
    t->kind = K_OBJECT;
    e = depth >= MAX_FAST_DEPTH ? -1 : skip_object(src, i, end, depth + 1);
  } else if (c == 0x5b) {
    t->kind = K_ARRAY;
    e = depth >= MAX_FAST_DEPTH ? -1 : skip_array(src, i, end, depth + 1);
  } else if (c == 't') {
    t->kind = K_TRUE;
    e = literal(src, i, end, "rue", 4);
  } else if (c == 'f') {
    t->kind = K_FALSE;
    e = literal(src, i, end, "alse", 5);
  } else if (c == 'n') {
    t->kind = K_NULL;
    e = literal(src, i, end, "ull", 4);
  } else
    return -1;
  t->end = e;
  return e;
}

static int64_t skip_object(const uint8_t *src, int64_t i, int64_t end, int depth) {
  token scratch;
  i = skip_ws(src, i + 1, end);
  if (i < end && src[i] == 0x7d) return i + 1;
  for (;;) {
    if (i >= end || src[i] != 0x22) return -1;
    int flags = 0;
    i = scan_string(src, i, end, &flags);
    if (i < 0) return -1;
    i = skip_ws(src, i, end);
    if (i >= end || src[i] != 0x3a) return -1;
    i = scan_value(src, skip_ws(src, i + 1, end), end, &scratch, depth);
    if (i < 0) return -1;
    i = skip_ws(src, i, end);
    if (i >= end) return -1;
    uint8_t c = src[i];
    if (c == 0x7d) return i + 1;
    if (c != 0x2c) return -1;
    i = skip_ws(src, i + 1, end);
  }
}

static int64_t skip_array(const uint8_t *src, int64_t i, int64_t end, int depth) {
  token scratch;
  i = skip_ws(src, i + 1, end);
  if (i < end && src[i] == 0x5d) return i + 1;
  for (;;) {
    i = scan_value(src, i, end, &scratch, depth);
    if (i < 0) return -1;
    i = skip_ws(src, i, end);
    if (i >= end) return -1;
    uint8_t c = src[i];
    if (c == 0x5d) return i + 1;
    if (c != 0x2c) return -1;
    i = skip_ws(src, i + 1, end);
  }
}

/* ---- message-scan ------------------------------------------------------------------------ */

typedef struct {
  const rc_plan *plan;
  rc_scratch *s;
  const uint8_t *src;
  int64_t end;
  int kind;
  /* The row's bound so far: slot_grow * token bytes over the slots filled. */
  uint64_t grow;
} scan_ctx;

static inline const rc_entry *level_find(const rc_level *level, const uint8_t *p, size_t n) {
  uint64_t w0, w1;
  key_words(p, n, &w0, &w1);
  for (unsigned cell = key_cell(w0, w1, n);; cell = (cell + 1) & TABLE_MASK) {
    unsigned at = level->table[cell];
    if (at == 0) return NULL;
    const rc_entry *entry = &level->entries[at - 1];
    if (entry->key.n == n && entry->w0 == w0 && entry->w1 == w1 &&
        (n <= 16 || memcmp(entry->key.p, p, n) == 0))
      return entry;
  }
}

/* The closing quote of the key whose text starts at i: escaped keys are refused, UTF-8 checked. */
static inline int64_t key_close(const uint8_t *src, int64_t i, int64_t end) {
  for (;;) {
    i = skip_plain(src, i, end);
    if (i >= end) return -1;
    uint8_t c = src[i];
    if (c == 0x22) return i;
    if (c < 0x80) return -1;
    i = utf8_end(src, i, end);
    if (i < 0) return -1;
  }
}

static int64_t scan_object(scan_ctx *x, int64_t i, const rc_level *level, int depth);

/* The end of an object, array or literal at i (-1 if invalid); its kind in x->kind. */
static int64_t value_end(scan_ctx *x, int64_t i, int depth) {
  const uint8_t *src = x->src;
  int64_t end = x->end;
  uint8_t c = src[i];
  if (c == 0x7b || c == 0x5b) {
    x->kind = c == 0x7b ? K_OBJECT : K_ARRAY;
    if (depth >= MAX_FAST_DEPTH) return -1;
    return c == 0x7b ? skip_object(src, i, end, depth + 1) : skip_array(src, i, end, depth + 1);
  }
  token lit = {0, 0, 0, 0};
  int64_t e = scan_value(src, i, end, &lit, depth);
  x->kind = lit.kind;
  return e;
}

static int64_t scan_object(scan_ctx *x, int64_t i, const rc_level *level, int depth) {
  const uint8_t *src = x->src;
  int64_t end = x->end;
  rc_slot *found = x->s->found;
  uint32_t generation = x->s->generation;
  i = skip_ws(src, i + 1, end);
  if (i < end && src[i] == 0x7d) return i + 1;
  for (;;) {
    if (i >= end || src[i] != 0x22) return -1;
    int64_t close = key_close(src, i + 1, end);
    if (close < 0) return -1;
    const rc_entry *entry = level_find(level, src + i + 1, (size_t)(close - i - 1));
    i = close + 1;
    if (i >= end || src[i] != 0x3a) {
      i = skip_ws(src, i, end);
      if (i >= end || src[i] != 0x3a) return -1;
    }
    int64_t start = skip_ws(src, i + 1, end);
    if (start >= end) return -1;
    uint8_t c = src[start];
    int kind, flags = 0;
    int64_t e;
    /* Strings and numbers inline; the rest, and objects a dotted source goes into, apart. */
    if (c == 0x22) {
      kind = K_STRING;
      e = scan_string(src, start, end, &flags);
    } else if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
      kind = K_NUMBER;
      e = scan_number(src, start, end, &flags);
    } else if (c == 0x7b && entry != NULL && entry->child >= 0) {
      if (depth >= MAX_FAST_DEPTH) return -1;
      kind = K_OBJECT;
      e = scan_object(x, start, &x->plan->levels[entry->child], depth + 1);
    } else {
      e = value_end(x, start, depth);
      kind = x->kind;
    }
    if (e < 0) return -1;
    if (entry != NULL) {
      rc_slot *slot = &found[entry->slot];
      /* A dotted source into an array would read its elements as keys: the slow path knows how. */
      if (entry->declines || slot->gen == generation || (entry->child >= 0 && kind == K_ARRAY))
        return -1;
      slot->gen = generation;
      slot->kind = (uint8_t)kind;
      slot->flags = (uint8_t)flags;
      slot->start = start;
      slot->end = e;
      x->grow += entry->grow * (uint64_t)(e - start);
    }
    i = e;
    c = i < end ? src[i] : 0;
    if (c <= 0x20) {
      i = skip_ws(src, i, end);
      c = i < end ? src[i] : 0;
    }
    if (c == 0x7d) return i + 1;
    if (c != 0x2c) return -1;
    i = skip_ws(src, i + 1, end);
  }
}

static int scan_message(scan_ctx *x, int64_t start) {
  rc_scratch *s = x->s;
  if (++s->generation == 0xffffffffu) {
    for (uint32_t k = 0; k < s->slots; k++) s->found[k].gen = 0;
    s->generation = 1;
  }
  int64_t i = skip_ws(x->src, start, x->end);
  if (i >= x->end || x->src[i] != 0x7b) return 0;
  int64_t e = scan_object(x, i, &x->plan->levels[0], 1);
  return e >= 0 && skip_ws(x->src, e, x->end) == x->end;
}

/* ---- output ------------------------------------------------------------------------------ */

/*
 * The row being written, at o. The caller has checked that the row's bound (row_bound) fits
 * below the end of what o points into, so nothing here checks room; a row that might not fit is
 * written aside and only its part below out_len copied (rc_encode_run).
 */
typedef struct {
  const uint8_t *src;
  uint8_t *o;
  int64_t *keys;
} rc_row;

static inline void put(rc_row *w, uint8_t c) { *w->o++ = c; }

/* Copies n bytes with a few wide moves: reads and writes only [p, p + n) and [o, o + n). */
static inline void copy_bytes(uint8_t *o, const uint8_t *p, size_t n) {
  if (n >= 8) {
    if (n > 16) {
      memcpy(o, p, n);
      return;
    }
    uint64_t a = load64(p), b = load64(p + n - 8);
    memcpy(o, &a, 8);
    memcpy(o + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a = load32(p), b = load32(p + n - 4);
    memcpy(o, &a, 4);
    memcpy(o + n - 4, &b, 4);
  } else if (n > 0) {
    o[0] = p[0];
    o[n >> 1] = p[n >> 1];
    o[n - 1] = p[n - 1];
  }
}

static inline void put_bytes(rc_row *w, const uint8_t *p, size_t n) {
  copy_bytes(w->o, p, n);
  w->o += n;
}

static inline void copy_src(rc_row *w, int64_t s, int64_t e) {
  put_bytes(w, w->src + s, (size_t)(e - s));
}

static const char DIGIT_PAIRS[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "62636465666768697071727374757677787980818283848586878889909192"
                                  "93949596979899";

static inline int decimal_digits(uint64_t v) {
  int n = 1;
  for (; v >= 10000; v /= 10000) n += 4;
  return v >= 1000 ? n + 3 : v >= 100 ? n + 2 : v >= 10 ? n + 1 : n;
}

/* A non-negative integer in decimal, zero-padded to width digits, written from its end. */
static inline void put_uint(rc_row *w, uint64_t v, int width) {
  int n = decimal_digits(v);
  if (n < width) n = width;
  uint8_t *o = w->o + n;
  w->o = o;
  for (; n >= 2; n -= 2) {
    o -= 2;
    memcpy(o, DIGIT_PAIRS + 2 * (v % 100), 2);
    v /= 100;
  }
  if (n == 1) *--o = (uint8_t)('0' + v % 10);
}

/* ---- number-token ------------------------------------------------------------------------ */

typedef struct {
  int neg;
  int64_t int_start, int_end, frac_start, frac_end;
  int has_exp;
  int64_t sig;
  int64_t leading_frac_zeros;
} nparts;

static int is_digit(uint8_t c) { return c >= 0x30 && c <= 0x39; }

static void read_number(const uint8_t *src, int64_t start, int64_t end, nparts *n) {
  int64_t i = start;
  n->neg = i < end && src[i] == 0x2d;
  if (n->neg) i++;
  n->int_start = i;
  while (i < end && is_digit(src[i])) i++;
  n->int_end = i;
  n->frac_start = i;
  n->frac_end = i;
  if (i < end && src[i] == 0x2e) {
    n->frac_start = ++i;
    while (i < end && is_digit(src[i])) i++;
    n->frac_end = i;
  }
  n->has_exp = i < end;
  int int_zero = n->int_end - n->int_start == 1 && src[n->int_start] == 0x30;
  int64_t zeros = 0;
  if (int_zero)
    while (n->frac_start + zeros < n->frac_end && src[n->frac_start + zeros] == 0x30) zeros++;
  n->leading_frac_zeros = zeros;
  int64_t int_digits = int_zero ? 0 : n->int_end - n->int_start;
  n->sig = int_digits + (n->frac_end - n->frac_start) - (int_zero ? zeros : 0);
}


static int prints_as_token(const uint8_t *src, const nparts *n) {
  if (n->sig > 15 || n->has_exp) return 0;
  if (n->frac_end > n->frac_start && src[n->frac_end - 1] == 0x30) return 0;
  if (n->sig == 0) return !n->neg;
  return n->leading_frac_zeros <= 5;
}

static int text_is_token(const uint8_t *src, const nparts *n) {
  return (n->sig >= 16 && !n->has_exp) || prints_as_token(src, n);
}

/* ---- string-body ------------------------------------------------------------------------- */

static const char LOWER_HEX_DIGITS[] = "0123456789abcdef";

static void put_escape_byte(rc_row *w, uint8_t byte, int nested) {
  if (nested) put(w, 0x5c);
  put(w, byte);
}

static uint8_t short_escape(unsigned code) {
  switch (code) {
  case 8: return 'b';
  case 9: return 't';
  case 10: return 'n';
  case 12: return 'f';
  case 13: return 'r';
  default: return 0;
  }
}

static void put_char(rc_row *w, unsigned code, int nested) {
  if (code >= 0x80) {
    if (code < 0x800)
      put(w, (uint8_t)(0xc0 | (code >> 6)));
    else {
      put(w, (uint8_t)(0xe0 | (code >> 12)));
      put(w, (uint8_t)(0x80 | ((code >> 6) & 0x3f)));
    }
    put(w, (uint8_t)(0x80 | (code & 0x3f)));
    return;
  }
  if (code >= 0x20 && code != 0x22 && code != 0x5c) {
    put(w, (uint8_t)code);
    return;
  }
  put_escape_byte(w, 0x5c, nested);
  if (code == 0x22 || code == 0x5c) {
    put_escape_byte(w, (uint8_t)code, nested);
    return;
  }
  uint8_t s = short_escape(code);
  if (s != 0) {
    put(w, s);
    return;
  }
  put(w, 'u');
  put(w, '0');
  put(w, '0');
  put(w, (uint8_t)LOWER_HEX_DIGITS[code >> 4]);
  put(w, (uint8_t)LOWER_HEX_DIGITS[code & 15]);
}

static unsigned unshort(uint8_t letter) {
  switch (letter) {
  case 'b': return 8;
  case 't': return 9;
  case 'n': return 10;
  case 'f': return 12;
  default: return 13;
  }
}

/* The validated inside of a string token, as JSON.stringify(JSON.parse(token)) writes it. */
static int put_string_body(rc_row *w, int64_t start, int64_t end, int nested) {
  const uint8_t *src = w->src;
  int64_t i = start;
  while (i < end) {
    uint8_t c = src[i];
    if (c != 0x5c) {
      put(w, c);
      i++;
      continue;
    }
    uint8_t e = src[i + 1];
    if (e != 'u') {
      put_char(w, e == '/' ? '/' : (e == '"' || e == '\\') ? e : unshort(e), nested);
      i += 2;
      continue;
    }
    unsigned code = (unsigned)(hex_value(src[i + 2]) << 12 | hex_value(src[i + 3]) << 8 |
                               hex_value(src[i + 4]) << 4 | hex_value(src[i + 5]));
    if (code >= 0xd800 && code <= 0xdfff) return 0;
    put_char(w, code, nested);
    i += 6;
  }
  return 1;
}

/* The first `"` or `\\` at or after i (end when none): string bodies the scan has validated. */
static inline int64_t quote_or_slash(const uint8_t *src, int64_t i, int64_t end) {
#ifdef RC_SSE2
  const __m128i quote16 = _mm_set1_epi8(0x22), slash16 = _mm_set1_epi8(0x5c);
  while (end - i >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(src + i));
    unsigned mask = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, quote16), _mm_cmpeq_epi8(x, slash16)));
    if (mask != 0) return i + __builtin_ctz(mask);
    i += 16;
  }
#endif
  while (end - i >= 8) {
    uint64_t x = load64(src + i);
    uint64_t quote = x ^ (ONES * 0x22), slash = x ^ (ONES * 0x5c);
    uint64_t hit = (((quote - ONES) & ~quote) | ((slash - ONES) & ~slash)) & HIGHS;
    if (hit != 0) return i + (__builtin_ctzll(hit) >> 3);
    i += 8;
  }
  while (i < end && src[i] != 0x22 && src[i] != 0x5c) i++;
  return i;
}

/* ---- compact-json ------------------------------------------------------------------------ */

static int64_t compact_value(rc_row *w, int64_t i, int64_t end, int top);

static int64_t escaped_string(rc_row *w, int64_t i, int64_t end) {
  int flags = 0;
  int64_t e = scan_string(w->src, i, end, &flags);
  if (e < 0) return -1;
  put(w, 0x5c);
  put(w, 0x22);
  if (!put_string_body(w, i + 1, e - 1, 1)) return -1;
  put(w, 0x5c);
  put(w, 0x22);
  return e;
}

static inline int64_t compact_string(rc_row *w, int64_t i, int64_t end, int key) {
  const uint8_t *src = w->src;
  uint8_t *at = w->o;
  put(w, 0x5c);
  put(w, 0x22);
  int64_t k = quote_or_slash(src, i + 1, end);
  if (k >= end) return -1;
  if (src[k] == 0x5c) {
    if (key) return -1;
    w->o = at;
    return escaped_string(w, i, end);
  }
  copy_src(w, i + 1, k);
  put(w, 0x5c);
  put(w, 0x22);
  return k + 1;
}

static int accept_key(rc_row *w, int64_t s, int64_t e, int first, int top) {
  const uint8_t *src = w->src;
  int digits = 1;
  for (int64_t k = s; k < e && digits; k++) digits = is_digit(src[k]);
  if (digits && e > s) return 0;
  for (int k = first; k < top; k++) {
    int64_t ks = w->keys[2 * k], ke = w->keys[2 * k + 1];
    if (ke - ks == e - s && memcmp(src + ks, src + s, (size_t)(e - s)) == 0) return 0;
  }
  return 1;
}

/* At a container's opening byte *i: writes it and moves *i to its first item; 1 when it is empty
 * (its close written too, *i past it). */
static int open_container(rc_row *w, int64_t *i, int64_t end, uint8_t open, uint8_t close) {
  put(w, open);
  *i = skip_ws(w->src, *i + 1, end);
  if (w->src[*i] != close) return 0;
  put(w, close);
  (*i)++;
  return 1;
}

/* After an item: 1 when the container closes (its close written, *i past it), else 0 with the
 * comma written and *i at the next item. */
static int next_item(rc_row *w, int64_t *i, int64_t end, uint8_t close) {
  *i = skip_ws(w->src, *i, end);
  if (w->src[*i] == close) {
    put(w, close);
    (*i)++;
    return 1;
  }
  put(w, 0x2c);
  *i = skip_ws(w->src, *i + 1, end);
  return 0;
}

static int64_t compact_array(rc_row *w, int64_t i, int64_t end, int top) {
  if (open_container(w, &i, end, 0x5b, 0x5d)) return i;
  for (;;) {
    i = compact_value(w, i, end, top);
    if (i < 0) return -1;
    if (next_item(w, &i, end, 0x5d)) return i;
  }
}

static int64_t compact_object(rc_row *w, int64_t i, int64_t end, int top) {
  const uint8_t *src = w->src;
  if (open_container(w, &i, end, 0x7b, 0x7d)) return i;
  int first = top;
  for (;;) {
    if (top >= first + MAX_KEYS || top >= KEY_STACK) return -1;
    int64_t key_end = compact_string(w, i, end, 1);
    if (key_end < 0 || !accept_key(w, i + 1, key_end - 1, first, top)) return -1;
    w->keys[2 * top] = i + 1;
    w->keys[2 * top + 1] = key_end - 1;
    top++;
    put(w, 0x3a);
    i = skip_ws(src, skip_ws(src, key_end, end) + 1, end);
    i = compact_value(w, i, end, top);
    if (i < 0) return -1;
    if (next_item(w, &i, end, 0x7d)) return i;
  }
}

static int64_t compact_value(rc_row *w, int64_t i, int64_t end, int top) {
  const uint8_t *src = w->src;
  uint8_t c = src[i];
  if (c == 0x22) return compact_string(w, i, end, 0);
  if (c == 0x7b) return compact_object(w, i, end, top);
  if (c == 0x5b) return compact_array(w, i, end, top);
  int64_t e;
  if (c == 't' || c == 'n')
    e = i + 4;
  else if (c == 'f')
    e = i + 5;
  else {
    int flags = 0;
    e = scan_number(src, i, end, &flags);
    if (e < 0) return -1;
    nparts n;
    read_number(src, i, e, &n);
    if (!text_is_token(src, &n)) return -1;
  }
  copy_src(w, i, e);
  return e;
}

/* For the converters' common cases: inlined, so a column costs no call. */
#define HOT static inline __attribute__((always_inline))

/* ---- converters -------------------------------------------------------------------------- */

static int convert(const rc_type *type, const token *t, rc_row *w);

static int compare_digits(const uint8_t *src, int64_t s, int64_t e, rc_bytes limit) {
  if (e - s != (int64_t)limit.n) return e - s < (int64_t)limit.n ? -1 : 1;
  return memcmp(src + s, limit.p, limit.n);
}

static int int_in_range(const rc_type *type, const uint8_t *src, const nparts *n) {
  int64_t s = n->int_start;
  if (n->int_end - s == 1 && src[s] == 0x30) return 1;
  if (n->neg && !type->b) return 0;
  return compare_digits(src, s, n->int_end, n->neg ? type->min_text : type->max_text) <= 0;
}

/* -?(0|[1-9][0-9]*) exactly. */
static int digit_string(const uint8_t *src, int64_t s, int64_t e, nparts *n) {
  n->neg = s < e && src[s] == 0x2d;
  int64_t d = n->neg ? s + 1 : s;
  if (d >= e || (src[d] == 0x30 && e - d > 1)) return 0;
  for (int64_t k = d; k < e; k++)
    if (!is_digit(src[k])) return 0;
  n->int_start = d;
  n->int_end = e;
  return 1;
}

HOT int convert_int(const rc_type *type, const token *t, rc_row *w) {
  const uint8_t *src = w->src;
  nparts n;
  if (t->kind == K_NUMBER) {
    if (t->flags & NUM_NOT_INT) return 0;
    n.neg = src[t->start] == 0x2d;
    n.int_start = t->start + n.neg;
    n.int_end = t->end;
    if (!int_in_range(type, src, &n)) return 0;
    if (n.neg && src[n.int_start] == 0x30)
      put(w, 0x30);
    else
      copy_src(w, t->start, t->end);
    return 1;
  }
  if (t->kind == K_STRING) {
    if ((t->flags & HAS_ESCAPE) || !digit_string(src, t->start + 1, t->end - 1, &n)) return 0;
    if (!int_in_range(type, src, &n)) return 0;
    int zero = n.int_end - n.int_start == 1 && src[n.int_start] == 0x30;
    if (n.neg && !zero) put(w, 0x2d);
    copy_src(w, n.int_start, n.int_end);
    return 1;
  }
  if (type->a == 8 && !type->b && (t->kind == K_TRUE || t->kind == K_FALSE)) {
    put(w, t->kind == K_TRUE ? 0x31 : 0x30);
    return 1;
  }
  return 0;
}

static int convert_bool(const token *t, rc_row *w) {
  int v = t->kind == K_TRUE ? 1 : t->kind == K_FALSE ? 0 : -1;
  if (t->kind == K_NUMBER && t->end - t->start == 1) {
    uint8_t c = w->src[t->start];
    v = c == 0x31 ? 1 : c == 0x30 ? 0 : -1;
  }
  if (v < 0) return 0;
  if (v == 1)
    put_bytes(w, (const uint8_t *)"true", 4);
  else
    put_bytes(w, (const uint8_t *)"false", 5);
  return 1;
}

static int convert_float(const token *t, rc_row *w) {
  if (t->kind != K_NUMBER) return 0;
  const uint8_t *src = w->src;
  nparts n;
  read_number(src, t->start, t->end, &n);
  int neg_zero = t->end - t->start == 2 && src[t->start] == 0x2d && src[t->start + 1] == 0x30;
  if (!neg_zero && !prints_as_token(src, &n)) return 0;
  copy_src(w, t->start, t->end);
  return 1;
}

/* coerce-decimal's plainDecimal: P-S integer digits, S fraction digits padded with zeros. */
static int put_decimal(const rc_type *type, rc_row *w, const nparts *n, int64_t frac_end) {
  int64_t max_int = (int64_t)type->a - (int64_t)type->b;
  int64_t scale = type->b;
  const uint8_t *src = w->src;
  if (n->int_end - n->int_start > max_int || frac_end - n->frac_start > scale) return 0;
  if (n->neg && src[n->int_start] == 0x30) return 0;
  int64_t frac_len = frac_end - n->frac_start;
  if (n->neg) put(w, 0x2d);
  copy_src(w, n->int_start, n->int_end);
  if (scale == 0) return 1;
  put(w, 0x2e);
  copy_src(w, n->frac_start, frac_end);
  for (int64_t k = frac_len; k < scale; k++) put(w, 0x30);
  return 1;
}

static int convert_decimal(const rc_type *type, const token *t, rc_row *w) {
  const uint8_t *src = w->src;
  nparts n;
  if (t->kind == K_STRING) {
    if (t->flags != 0) return 0;
    int64_t e = t->end - 1;
    read_number(src, t->start + 1, e, &n);
    if (n.int_end == n.int_start || n.has_exp) return 0;
    if (src[n.int_start] == 0x30 && n.int_end - n.int_start > 1) return 0;
    int dot = n.int_end < e && src[n.int_end] == 0x2e;
    if (dot && n.frac_end == n.frac_start) return 0;
    return put_decimal(type, w, &n, n.frac_end);
  }
  if (t->kind != K_NUMBER) return 0;
  read_number(src, t->start, t->end, &n);
  if (n.has_exp) return 0;
  int64_t frac_end = n.frac_end;
  if (n.sig <= 15) {
    while (frac_end > n.frac_start && src[frac_end - 1] == 0x30) frac_end--;
    if (n.sig == 0 && n.neg) return 0;
    if (n.leading_frac_zeros > 5 && frac_end > n.frac_start) return 0;
  }
  return put_decimal(type, w, &n, frac_end);
}

/* Strings from anything but a plain string token (convert_string's rare part). */
static int convert_string_other(const rc_type *type, const token *t, rc_row *w) {
  const uint8_t *src = w->src;
  int64_t max = type->max_bytes;
  switch (t->kind) {
  case K_STRING:
    if (!(t->flags & HAS_ESCAPE)) {
      if (max >= 0 && t->end - t->start - 2 > max) return 0;
      copy_src(w, t->start, t->end);
      return 1;
    }
    if (max >= 0) return 0;
    put(w, 0x22);
    if (!put_string_body(w, t->start + 1, t->end - 1, 0)) return 0;
    put(w, 0x22);
    return 1;
  case K_NUMBER: {
    nparts n;
    read_number(src, t->start, t->end, &n);
    if (!text_is_token(src, &n)) return 0;
    if (max >= 0 && t->end - t->start > max) return 0;
    put(w, 0x22);
    copy_src(w, t->start, t->end);
    put(w, 0x22);
    return 1;
  }
  case K_TRUE:
  case K_FALSE:
    if (max >= 0 && max < (t->kind == K_TRUE ? 4 : 5)) return 0;
    if (t->kind == K_TRUE)
      put_bytes(w, (const uint8_t *)"\"true\"", 6);
    else
      put_bytes(w, (const uint8_t *)"\"false\"", 7);
    return 1;
  case K_OBJECT:
  case K_ARRAY:
    if (max >= 0) return 0;
    put(w, 0x22);
    if (compact_value(w, t->start, t->end, 0) < 0) return 0;
    put(w, 0x22);
    return 1;
  default:
    return 0;
  }
}

HOT int convert_string(const rc_type *type, const token *t, rc_row *w) {
  if (t->kind == K_STRING && !(t->flags & HAS_ESCAPE)) {
    if (type->max_bytes >= 0 && t->end - t->start - 2 > type->max_bytes) return 0;
    copy_src(w, t->start, t->end);
    return 1;
  }
  return convert_string_other(type, t, w);
}

static int convert_enum(const rc_type *type, const token *t, rc_row *w) {
  const uint8_t *src = w->src;
  if (t->kind == K_STRING) {
    if (t->flags & HAS_ESCAPE) return 0;
    size_t n = (size_t)(t->end - t->start - 2);
    for (uint32_t k = 0; k < type->nmembers; k++) {
      const rc_member *m = &type->members[k];
      if (m->name.n != n || memcmp(m->name.p, src + t->start + 1, n) != 0) continue;
      put_bytes(w, m->quoted.p, m->quoted.n);
      return 1;
    }
    return 0;
  }
  if (t->kind != K_NUMBER) return 0;
  nparts n;
  read_number(src, t->start, t->end, &n);
  if (n.has_exp || n.frac_end > n.frac_start || n.int_end - n.int_start > 6) return 0;
  int32_t v = 0;
  for (int64_t k = n.int_start; k < n.int_end; k++) v = v * 10 + (src[k] - 0x30);
  if (n.neg) v = -v;
  /* A Map keeps the last member set for a value. */
  for (uint32_t k = type->nmembers; k-- > 0;) {
    const rc_member *m = &type->members[k];
    if (m->value != v) continue;
    put_bytes(w, m->quoted.p, m->quoted.n);
    return 1;
  }
  return 0;
}

static uint8_t lower_hex(uint8_t c) {
  if (is_digit(c) || (c >= 'a' && c <= 'f')) return c;
  if (c >= 'A' && c <= 'F') return (uint8_t)(c + 32);
  return 0;
}

static int is_dash_at(int k) { return k == 8 || k == 13 || k == 18 || k == 23; }

/* 1 for the lower-case hex digits 0-9a-f, else 0. */
static const uint8_t LOWER_HEX[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
};

/* Dashed and lower-case: the form written, so the token is the output. */
static int is_canonical_uuid(const uint8_t *p) {
  if (p[8] != 0x2d || p[13] != 0x2d || p[18] != 0x2d || p[23] != 0x2d) return 0;
  unsigned ok = 1;
  for (int k = 0; k < 8; k++) ok &= LOWER_HEX[p[k]] & LOWER_HEX[p[28 + k]];
  for (int k = 0; k < 4; k++)
    ok &= LOWER_HEX[p[9 + k]] & LOWER_HEX[p[14 + k]] & LOWER_HEX[p[19 + k]] &
          LOWER_HEX[p[24 + k]];
  return (int)ok;
}

/* UUIDs not already in the form written (convert_uuid's rare part). */
static int convert_uuid_other(const token *t, rc_row *w) {
  if (t->kind != K_STRING || t->flags != 0) return 0;
  const uint8_t *src = w->src;
  int64_t s = t->start + 1;
  int64_t n = t->end - 1 - s;
  if (n != 36 && n != 32) return 0;
  if (n == 36 && is_canonical_uuid(src + s)) {
    copy_src(w, t->start, t->end);
    return 1;
  }
  put(w, 0x22);
  for (int k = 0; k < n; k++) {
    uint8_t c = src[s + k];
    if (n == 36 && is_dash_at(k)) {
      if (c != 0x2d) return 0;
      put(w, 0x2d);
      continue;
    }
    if (n == 32 && (k == 8 || k == 12 || k == 16 || k == 20)) put(w, 0x2d);
    uint8_t h = lower_hex(c);
    if (h == 0) return 0;
    put(w, h);
  }
  put(w, 0x22);
  return 1;
}

HOT int convert_uuid(const token *t, rc_row *w) {
  if (t->kind == K_STRING && t->flags == 0 && t->end - t->start == 38 &&
      is_canonical_uuid(w->src + t->start + 1)) {
    copy_src(w, t->start, t->end);
    return 1;
  }
  return convert_uuid_other(t, w);
}

static int is_ipv4(const uint8_t *src, int64_t s, int64_t e) {
  int64_t i = s;
  for (int octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= e || src[i] != 0x2e) return 0;
      i++;
    }
    int64_t start = i;
    int v = 0;
    while (i < e && i - start < 3 && is_digit(src[i])) v = v * 10 + (src[i++] - 0x30);
    int64_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && src[start] == 0x30)) return 0;
  }
  return i == e;
}

static int is_ipv6(const uint8_t *src, int64_t s, int64_t e) {
  int64_t n = e - s;
  if (n < 2 || n > 45) return 0;
  int colon = 0;
  for (int64_t i = s; i < e; i++) {
    uint8_t c = src[i];
    if (c == 0x3a)
      colon = 1;
    else if (c != 0x2e && hex_value(c) < 0)
      return 0;
  }
  return colon;
}

static int convert_ip(const rc_type *type, const token *t, rc_row *w) {
  if (t->kind != K_STRING || t->flags != 0) return 0;
  int64_t s = t->start + 1, e = t->end - 1;
  if (!is_ipv4(w->src, s, e) && !(type->a == 6 && is_ipv6(w->src, s, e))) return 0;
  copy_src(w, t->start, t->end);
  return 1;
}

/* ---- date-times -------------------------------------------------------------------------- */

#define DAY_SECONDS 86400
#define MILLIS_FROM 100000000000LL
#define EPOCH_TEXT_MAX 9999999999LL

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m) {
  if (m == 2) return is_leap(y) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  int64_t yy = m <= 2 ? y - 1 : y;
  int64_t era = floor_div(yy, 400);
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* `"YYYY-MM-DD"` of a day count (H. Hinnant's civil_from_days), years 0..9999. */
static void put_days(rc_row *w, int64_t days) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  put(w, 0x22);
  put_uint(w, (uint64_t)y, 4);
  put(w, 0x2d);
  put_uint(w, (uint64_t)m, 2);
  put(w, 0x2d);
  put_uint(w, (uint64_t)d, 2);
  put(w, 0x22);
}

typedef struct {
  int64_t wall;
  int64_t nanos;
  int has_offset;
  int64_t offset;
} parsed_dt;

/* Two ASCII digits at k, or -1. */
static int two(const uint8_t *src, int64_t k) {
  if (!is_digit(src[k]) || !is_digit(src[k + 1])) return -1;
  return (src[k] - 48) * 10 + (src[k + 1] - 48);
}

static int at(const uint8_t *src, int64_t s, int64_t e, int64_t k) { return s + k < e ? src[s + k] : -1; }

static int dt_digits(const uint8_t *src, int64_t s, int64_t e, int64_t k, int count) {
  int v = 0;
  for (int64_t i = k; i < k + count; i++) {
    int d = at(src, s, e, i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    v = v * 10 + d;
  }
  return v;
}

static int read_offset(const uint8_t *src, int64_t s, int64_t e, int64_t k, parsed_dt *out) {
  if (k < 0) return 0;
  int64_t n = e - s;
  if (k == n) return 1;
  int c = at(src, s, e, k);
  if ((c == 90 || c == 122) && k + 1 == n) {
    out->has_offset = 1;
    out->offset = 0;
    return 1;
  }
  if (c != 43 && c != 45) return 0;
  int hours = dt_digits(src, s, e, k + 1, 2);
  int minutes = 0;
  int64_t rest = n - (k + 3);
  if (rest == 3 && at(src, s, e, k + 3) == 58)
    minutes = dt_digits(src, s, e, k + 4, 2);
  else if (rest == 2)
    minutes = dt_digits(src, s, e, k + 3, 2);
  else if (rest != 0)
    return 0;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return 0;
  int64_t offset = hours * 3600 + minutes * 60;
  out->has_offset = 1;
  out->offset = c == 45 ? -offset : offset;
  return 1;
}

static int64_t read_fraction(const uint8_t *src, int64_t s, int64_t e, int64_t k, parsed_dt *out) {
  int c = at(src, s, e, k);
  if (c != 46 && c != 44) return k;
  int64_t i = k + 1;
  int64_t nanos = 0, scale = 100000000;
  for (int d = at(src, s, e, i); d >= 48 && d <= 57; d = at(src, s, e, ++i)) {
    nanos += (d - 48) * scale;
    scale /= 10;
  }
  if (i == k + 1) return -1;
  out->nanos = nanos;
  return i;
}

/* datetime-text's forms: YYYY-MM-DD, then [Tt ]hh:mm[:ss[.f]] and an offset (Z, ±hh[[:]mm]). */
static int parse_datetime(const uint8_t *src, int64_t s, int64_t e, parsed_dt *out) {
  int64_t n = e - s;
  if (n < 10 || src[s + 4] != 45 || src[s + 7] != 45) return 0;
  int y1 = two(src, s), y2 = two(src, s + 2);
  int month = two(src, s + 5), day = two(src, s + 8);
  if (y1 < 0 || y2 < 0) return 0;
  int64_t year = y1 * 100 + y2;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return 0;
  int64_t days = days_from_civil(year, month, day);
  out->nanos = 0;
  out->has_offset = 0;
  out->offset = 0;
  if (n == 10) {
    out->wall = days * DAY_SECONDS;
    return 1;
  }
  uint8_t sep = src[s + 10];
  if (sep != 84 && sep != 116 && sep != 32) return 0;
  if (n < 16) return 0;
  int hour = two(src, s + 11);
  int minute = src[s + 13] == 58 ? two(src, s + 14) : -1;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return 0;
  int second = 0;
  int64_t k = 16;
  if (at(src, s, e, 16) == 58) {
    second = n < 19 ? -1 : two(src, s + 17);
    if (second < 0 || second > 59) return 0;
    k = read_fraction(src, s, e, 19, out);
  }
  out->wall = days * DAY_SECONDS + hour * 3600 + minute * 60 + second;
  return read_offset(src, s, e, k, out);
}

enum { I_NONE = 0, I_WALL = 1, I_INSTANT = 2 };

/* Text gives wall-clock parts, integer numbers an epoch (seconds below 1e11, else millis). */
static int read_instant(const token *t, const uint8_t *src, parsed_dt *p, int64_t *sec,
                        int64_t *nanos) {
  if (t->kind == K_STRING) {
    if (t->flags != 0) return I_NONE;
    return parse_datetime(src, t->start + 1, t->end - 1, p) ? I_WALL : I_NONE;
  }
  if (t->kind != K_NUMBER) return I_NONE;
  nparts n;
  read_number(src, t->start, t->end, &n);
  if (n.has_exp || n.frac_end > n.frac_start || n.int_end - n.int_start > 15) return I_NONE;
  int64_t v = 0;
  for (int64_t k = n.int_start; k < n.int_end; k++) v = v * 10 + (src[k] - 0x30);
  if (n.neg) v = -v;
  if (v < MILLIS_FROM && v > -MILLIS_FROM) {
    *sec = v;
    *nanos = 0;
  } else {
    *sec = floor_div(v, 1000);
    *nanos = (v - *sec * 1000) * 1000000;
  }
  return I_INSTANT;
}

static int convert_date(const rc_type *type, const token *t, rc_row *w) {
  parsed_dt p;
  int64_t sec = 0, nanos = 0, local;
  int kind = read_instant(t, w->src, &p, &sec, &nanos);
  if (kind == I_NONE) return 0;
  /* Only wall-clock text without an offset reads the same in every zone. */
  if (kind == I_INSTANT) {
    if (!type->utc) return 0;
    local = sec;
  } else if (!p.has_offset)
    local = p.wall;
  else {
    if (!type->utc) return 0;
    local = p.wall - p.offset;
  }
  int64_t days = floor_div(local, DAY_SECONDS);
  if (days < type->min || days > type->max) return 0;
  put_days(w, days);
  return 1;
}

static int convert_datetime(const rc_type *type, const token *t, rc_row *w) {
  parsed_dt p;
  int64_t sec = 0, nanos = 0;
  int kind = read_instant(t, w->src, &p, &sec, &nanos);
  if (kind == I_NONE) return 0;
  if (kind == I_WALL) {
    /* Wall-clock text without an offset needs the zone's rules: only UTC has none. */
    if (!p.has_offset && !type->utc) return 0;
    sec = p.wall - p.offset;
    nanos = p.nanos;
  }
  if (sec < type->min || sec > type->max) return 0;
  if (type->kind == T_DATETIME) {
    put_uint(w, (uint64_t)sec, 1);
    return 1;
  }
  if (sec < 0 || sec > EPOCH_TEXT_MAX) return 0;
  int precision = (int)type->a;
  int64_t divisor = 1;
  for (int k = precision; k < 9; k++) divisor *= 10;
  put(w, 0x22);
  put_uint(w, (uint64_t)sec, 10);
  if (precision > 0) {
    put(w, 0x2e);
    put_uint(w, (uint64_t)(nanos / divisor), precision);
  }
  put(w, 0x22);
  return 1;
}

/* ---- arrays and dispatch ----------------------------------------------------------------- */

static int convert_array(const rc_type *type, const token *t, rc_row *w) {
  if (t->kind != K_ARRAY) return 0;
  const uint8_t *src = w->src;
  put(w, 0x5b);
  int64_t i = skip_ws(src, t->start + 1, t->end);
  if (src[i] == 0x5d) {
    put(w, 0x5d);
    return 1;
  }
  token item;
  for (int first = 1;; first = 0) {
    int64_t e = scan_value(src, i, t->end, &item, 0);
    if (e < 0) return 0;
    if (!first) put(w, 0x2c);
    if (item.kind == K_NULL && !type->inner_nullable) return 0;
    if (!convert(type->inner, &item, w)) return 0;
    int64_t next = skip_ws(src, e, t->end);
    if (src[next] == 0x5d) break;
    i = skip_ws(src, next + 1, t->end);
  }
  put(w, 0x5d);
  return 1;
}

/* The dispatch, inlined into write_row (the top level) and into convert (nested values). */
static inline __attribute__((always_inline)) int convert_inline(const rc_type *type, const token *t,
                                                                rc_row *w) {
  switch (type->kind) {
  case T_INT: return convert_int(type, t, w);
  case T_FLOAT: return convert_float(t, w);
  case T_DECIMAL: return convert_decimal(type, t, w);
  case T_BOOL: return convert_bool(t, w);
  case T_STRING: return convert_string(type, t, w);
  case T_UUID: return convert_uuid(t, w);
  case T_IP: return convert_ip(type, t, w);
  case T_ENUM: return convert_enum(type, t, w);
  case T_DATE: return convert_date(type, t, w);
  case T_DATETIME:
  case T_DT64: return convert_datetime(type, t, w);
  case T_NULLABLE:
    if (t->kind == K_NULL) {
      put_bytes(w, (const uint8_t *)"null", 4);
      return 1;
    }
    return convert(type->inner, t, w);
  case T_ARRAY: return convert_array(type, t, w);
  default: return 0;
  }
}

static int convert(const rc_type *type, const token *t, rc_row *w) {
  return convert_inline(type, t, w);
}

/* ---- rows -------------------------------------------------------------------------------- */

/* The row of the scanned message, `{...}\n`, at w->o; 0 when declined. */
static inline void put_key(rc_row *w, const rc_column *col) {
  size_t n = col->key.n + 1;
  if (n <= 32)
    memcpy(w->o, col->comma_key, 32);
  else
    memcpy(w->o, col->comma_key, n);
  w->o += n;
}

static int write_row(const rc_plan *plan, const rc_scratch *s, rc_row *w) {
  /* Every column is written as `,"name":value`; the first comma becomes the row's `{`. */
  uint8_t *row = w->o;
  for (uint32_t k = 0; k < plan->ncolumns; k++) {
    const rc_column *col = &plan->columns[k];
    const rc_slot *found = &s->found[col->slot];
    if (found->gen != s->generation || (found->kind == K_NULL && !col->nullable)) {
      if (!col->nullable) continue;
      put_key(w, col);
      memcpy(w->o, "null", 4);
      w->o += 4;
      continue;
    }
    token t = {found->kind, found->start, found->end, found->flags};
    put_key(w, col);
    if (!convert_inline(col->type, &t, w)) return 0;
  }
  if (w->o == row)
    put(w, 0x7b);
  else
    *row = 0x7b;
  memcpy(w->o, "}\n", 2);
  w->o += 2;
  return 1;
}

static uint64_t stop(size_t count, int reason) { return (uint64_t)count * 4 + (uint64_t)reason; }

/* At least n bytes of spill room; 0 when that cannot be had (the message is declined). */
static int spill_room(rc_scratch *s, uint64_t n) {
  if (n <= s->spill_size) return 1;
  if (n > (uint64_t)1 << 32) return 0;
  uint8_t *p = realloc(s->spill, (size_t)n);
  if (p == NULL) return 0;
  s->spill = p;
  s->spill_size = (size_t)n;
  return 1;
}

/* Spill buffers past this are given back after the row that needed them. */
#define SPILL_KEEP (1u << 20)

uint64_t rc_encode_run(const rc_plan *plan, rc_scratch *scratch, const rc_input *input,
                       const rc_policy *policy, size_t from, size_t to, uint8_t *out,
                       size_t out_len, size_t pos, size_t limit, uint32_t *row_ends) {
  size_t count = 0;
  size_t p = pos;
  size_t gap = input->sep >= 0 ? 1 : 0;
  if (plan->unbounded && from < to) return stop(0, RC_RUN_DECLINED);
  for (size_t k = from; k < to; k++) {
    size_t start = k == 0 ? 0 : (size_t)input->value_end[k - 1] + gap;
    size_t end = input->value_end[k];
    if ((input->flags[k] & policy->decline_flags) != 0 || end < start ||
        end > input->values_len || end - start > policy->max_value_bytes)
      return stop(count, RC_RUN_DECLINED);
    scan_ctx x = {plan, scratch, input->values, (int64_t)end, 0, 0};
    if (!scan_message(&x, (int64_t)start)) return stop(count, RC_RUN_DECLINED);
    uint64_t bound = plan->row_fixed + x.grow;
    /* The common row is written in place; one that might not fit, aside, to learn its end. */
    int direct = bound <= out_len - p;
    if (!direct && !spill_room(scratch, bound)) return stop(count, RC_RUN_DECLINED);
    uint8_t *base = direct ? out + p : scratch->spill;
    rc_row w = {input->values, base, scratch->keys};
    int ok = write_row(plan, scratch, &w);
    size_t row_end = p + (size_t)(w.o - base);
    if (!direct) {
      if (ok) memcpy(out + p, base, (row_end < out_len ? row_end : out_len) - p);
      if (scratch->spill_size > SPILL_KEEP) {
        free(scratch->spill);
        scratch->spill = NULL;
        scratch->spill_size = 0;
      }
    }
    if (!ok) return stop(count, RC_RUN_DECLINED);
    /* row_end is the row's true end even when it did not fit below out_len. */
    if (p > 0 && row_end > limit) return stop(count, RC_RUN_FULL);
    if (row_end > out_len) return stop(count, RC_RUN_ROOM);
    row_ends[k - from] = (uint32_t)row_end;
    count++;
    p = row_end;
    if (p >= limit) return stop(count, RC_RUN_FULL);
  }
  return stop(count, RC_RUN_DONE);
}