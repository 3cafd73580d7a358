/**
 * @module tests/unit/schema/fast/json-text-arbitraries
 * fast-check generators of JSON *text* (not values): the spellings a fast byte path must get
 * right or decline — whitespace, escapes, unicode, long and odd numbers, dates in many layouts,
 * duplicate and integer-like keys, and some invalid text. Never generates via one canonical form.
 */
import fc from 'fast-check'

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n')

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`))

/** Integers, big integers, decimals with many digits, exponents, negative zero, tiny values. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String),
  fc.constantFrom('18446744073709551615', '18446744073709551616', '-9223372036854775808'),
  fc.constantFrom('9223372036854775807', '9007199254740993', '-0', '0', '1.0', '1.50', '0.00'),
  fc.constantFrom(
    '1e3',
    '1E-2',
    '2.5e+2',
    '0.0000001',
    '0.000001',
    '-0.5',
    '1e21',
    '123456789012345678901',
  ),
  fc.tuple(fc.integer({ min: 0, max: 99999 }), digits(1, 20)).map(([i, f]) => `${i}.${f}`),
  fc
    .tuple(fc.boolean(), digits(1, 18), digits(0, 4))
    .map(
      ([neg, i, f]) => `${neg ? '-' : ''}${i.replace(/^0+(?=.)/, '')}${f === '' ? '' : `.${f}`}`,
    ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('1700000000', '1700000000123', '-1', '99999999999', '100000000000'),
)

const pad = (n: number, w: number) => String(n).padStart(w, '0')

/** Date-time text in the layouts SPEC §9 accepts, and near misses. */
export const dateText: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 1890, max: 2310 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 60 }),
    fc.constantFrom('', '.1', '.123', '.123456789', '.1234567891', ',5', '.'),
    fc.constantFrom('', 'Z', 'z', '+05:30', '-08:00', '+0100', '-03', '+24:00', '+05:3'),
    fc.constantFrom('T', ' ', 't', 'x'),
    fc.constantFrom('full', 'date', 'minutes', 'seconds'),
  )
  .map(([y, mo, d, h, mi, s, frac, off, sep, layout]) => {
    const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`
    if (layout === 'date') return date
    const hm = `${date}${sep}${pad(h, 2)}:${pad(mi, 2)}`
    if (layout === 'minutes') return `${hm}${off}`
    if (layout === 'seconds') return `${hm}:${pad(s, 2)}${off}`
    return `${hm}:${pad(s, 2)}${frac}${off}`
  })

const hex = fc.stringMatching(/^[0-9a-fA-F]{32}$/)

/** Raw string contents that need no escaping (may hold non-ASCII characters). */
const plainContent = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9 _.:/-]{0,12}$/),
  fc.constantFrom('a', 'b', 'ü', 'true', 'False', '42', '-7', '007', ' 5', '12.50', '-0.5', 'nan'),
  fc.constantFrom('US', 'DEU', '日本', '😀x', '1.2.3.4', '255.255.255.255', '01.2.3.4', '::1'),
  fc.constantFrom('fe80::1%x', '192.168.0.256', '2001:db8::ff00:42:8329'),
  hex.map((h) => h),
  hex.map(
    (h) =>
      `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
  ),
  hex.map(
    (h) =>
      `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}}`,
  ),
  dateText,
  fc
    .string({ unit: 'grapheme', maxLength: 6 })
    .filter((s) => ![...s].some((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20)),
)

/** A JSON string token, sometimes with escapes JSON.stringify would not write. */
export const stringText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: plainContent.map((s) => `"${s}"`) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.constantFrom(
          'a',
          '\\"',
          '\\\\',
          '\\/',
          '\\n',
          '\\t',
          '\\b',
          '\\f',
          '\\r',
          '\\u0041',
          '\\u00e9',
          '\\u20ac',
          '\\u0001',
          '\\u001F',
          '\\ud83d\\ude00',
          '\\udc00',
          '\\u2028',
          '\\u0022',
          '\\u005c',
        ),
        { maxLength: 4 },
      )
      .map((parts) => `"${parts.join('')}"`),
  },
)

/** Nested JSON text: objects (with duplicate or integer-like keys) and arrays, random spacing. */
export const nestedText: fc.Arbitrary<string> = fc.letrec<{ value: string; container: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      numberText,
      stringText,
      fc.constantFrom('true', 'false', 'null'),
      tie('container'),
    ),
    container: fc.oneof(
      fc
        .tuple(ws, fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }))
        .map(([w, items]) => `[${w}${items.map(([a, v, b]) => `${a}${v}${b}`).join(',')}]`),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('"k"', '"x"', '"1"', '"01"', '"a b"', '"é"', '""', '"__proto__"'),
            ws,
            tie('value'),
          ),
          {
            maxLength: 4,
          },
        )
        .map((entries) => `{${entries.map(([k, w, v]) => `${k}${w}:${w}${v}`).join(',')}}`),
    ),
  }),
).value

export { ws }
