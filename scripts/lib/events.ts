/**
 * @module scripts/lib/events
 * Deterministic, realistic ndjson click-stream events (about 265 bytes each) for tests, the demo
 * and the bench, with optional junk lines for dead-letter paths. Pure: never reads time or disk.
 */
import { AsciiWriter } from './ascii-writer'
import { Random } from './random'

export interface EventOptions {
  /** Valid events to produce; their ids run 1..count. */
  readonly count: number
  readonly seed?: number
  /** When > 0 every event carries `"tenant":"tNN"` (NN in 01..tenants), for db-key routing. */
  readonly tenants?: number
  /** When > 0 one junk line follows every `junkEvery`-th event. */
  readonly junkEvery?: number
}

export interface EventsSummary {
  /** Valid events written (the rows a sink should end up with). */
  readonly count: number
  /** Sum of the valid events' ids: count * (count + 1) / 2; exact below 2^53. */
  readonly sumIds: number
  /** With `tenants`: per tenant tNN (index NN - 1) how many events it got and the sum of their ids. */
  readonly perTenant?: { readonly counts: number[]; readonly sumIds: number[] }
  /** Bytes written, newlines included. */
  readonly bytes: number
  readonly lines: number
  readonly junk: number
}

/** Junk lines rotate through these, each meant to reach the dead letter with that reason. */
export const JUNK_KINDS = ['invalid_json', 'not_object', 'type_mismatch', 'bad_utf8'] as const
export type JunkKind = (typeof JUNK_KINDS)[number]

/** Event names by weight; purchases come first so `index < PURCHASES` tells them apart. */
const EVENT_WEIGHTS = { purchase: 5, view: 50, click: 28, search: 7, add_to_cart: 8, signup: 2 }
const PURCHASES = EVENT_WEIGHTS.purchase
const COUNTRY_REGIONS: Record<string, [weight: number, region: string]> = {
  US: [30, 'us-east'],
  DE: [12, 'eu-central'],
  GB: [10, 'eu-west'],
  FR: [8, 'eu-west'],
  IN: [10, 'ap-south'],
  BR: [7, 'sa-east'],
  JP: [6, 'ap-northeast'],
  CN: [9, 'ap-east'],
  NL: [4, 'eu-west'],
}
const EVENTS = weighted(Object.entries(EVENT_WEIGHTS))
const COUNTRY_LIST = Object.entries(COUNTRY_REGIONS)
const COUNTRIES = weighted(COUNTRY_LIST.map(([code, [weight]]) => [code, weight]))
const REGIONS = weighted(COUNTRY_LIST.map(([, [weight, region]]) => [region, weight]))
const SECTIONS = ['p', 'c', 'cart', 'search', 'account', 'deals'].map(ascii)
const TAGS = ['web', 'mobile', 'app', 'new', 'returning', 'promo', 'organic', 'ads', 'email'].map(
  ascii,
)
const USER_AGENTS = [
  'Chrome/131',
  'Firefox/133',
  'Safari/18.1',
  'Edge/131',
  'Android/15',
  'iOS/18',
].map(ascii)
/** The fixed text between the values of an event. */
const P = {
  id: ascii('{"id":'),
  tenant: ascii(',"tenant":"t'),
  ts: ascii(',"ts":"'),
  user: ascii('","user_id":'),
  session: ascii(',"session":"'),
  event: ascii('","event":"'),
  url: ascii('","url":"/'),
  country: ascii('","country":"'),
  amount: ascii('","amount":'),
  zero: ascii('0.00'),
  duration: ascii(',"duration_ms":'),
  tags: ascii(',"tags":["'),
  tagSep: ascii('","'),
  ua: ascii('"],"meta":{"ua":"'),
  region: ascii('","region":"'),
  end: ascii('"}}'),
}
const BASE_TIME_MS = Date.UTC(2026, 10, 1)
const DAY_MS = 86_400_000
const SESSION_SLOTS = 2048
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const CHUNK_BYTES = 1 << 20
const [NEWLINE, QUOTE, SLASH, COLON, DOT, Z] = [0x0a, 0x22, 0x2f, 0x3a, 0x2e, 0x5a]

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

/** Each name `weight` times, so a uniform index picks by weight. */
function weighted(entries: Array<[string, number]>): Uint8Array[] {
  return entries.flatMap(([name, weight]) => Array<Uint8Array>(weight).fill(ascii(name)))
}

function uuid(rng: Random): string {
  const b = Array.from({ length: 16 }, () => rng.int(256))
  b[6] = ((b[6] as number) & 0x0f) | 0x40
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  const h = b.map((x) => HEX[x])
  return `${h.slice(0, 4).join('')}-${h.slice(4, 6).join('')}-${h.slice(6, 8).join('')}-${h.slice(8, 10).join('')}-${h.slice(10).join('')}`
}

/** `YYYY-MM-DDThh:mm:ss.mmmZ` written digit by digit: a Date per event costs more than the rest. */
class IsoTime {
  private day = -1
  private dayPrefix: Uint8Array = new Uint8Array(0)

  write(ms: number, out: AsciiWriter): void {
    const day = Math.floor(ms / DAY_MS)
    if (day !== this.day) {
      this.day = day
      this.dayPrefix = ascii(new Date(day * DAY_MS).toISOString().slice(0, 11))
    }
    let rest = ms - day * DAY_MS
    const h = Math.floor(rest / 3_600_000)
    rest -= h * 3_600_000
    const m = Math.floor(rest / 60_000)
    rest -= m * 60_000
    const s = Math.floor(rest / 1000)
    out.bytes(this.dayPrefix).digits(h, 2).byte(COLON).digits(m, 2).byte(COLON).digits(s, 2)
    out
      .byte(DOT)
      .digits(rest - s * 1000, 3)
      .byte(Z)
  }
}

/** Builds events for one seed; sessions are reused across events, as real visits are. */
class EventFactory {
  private readonly rng: Random
  private readonly sessions: Uint8Array[]
  private readonly time = new IsoTime()
  constructor(
    seed: number,
    private readonly tenants: number,
  ) {
    this.rng = new Random(seed)
    this.sessions = Array.from({ length: SESSION_SLOTS }, () => ascii(uuid(this.rng)))
  }

  /**
   * Writes one event, without newline, from pre-encoded pieces (strings cost 3x as much).
   * Returns its tenant number (1..tenants), or 0 without tenants.
   */
  write(id: number, out: AsciiWriter): number {
    const rng = this.rng
    out.bytes(P.id).int(id)
    const tenant = this.tenants > 0 ? rng.int(this.tenants) + 1 : 0
    if (tenant > 0) out.bytes(P.tenant).digits(tenant, 2).byte(QUOTE)
    out.bytes(P.ts)
    this.time.write(BASE_TIME_MS + id * 50 + rng.int(1000), out)
    out.bytes(P.user).int(Math.floor(100_000 * rng.next() ** 2) + 1)
    out.bytes(P.session).bytes(this.session())
    const event = rng.int(EVENTS.length)
    out.bytes(P.event).bytes(EVENTS[event] as Uint8Array)
    out.bytes(P.url).bytes(rng.pick(SECTIONS)).byte(SLASH).int(rng.int(10_000))
    const country = rng.int(COUNTRIES.length)
    out
      .bytes(P.country)
      .bytes(COUNTRIES[country] as Uint8Array)
      .bytes(P.amount)
    if (event < PURCHASES) out.cents(100 + rng.int(99_900))
    else out.bytes(P.zero)
    out.bytes(P.duration).int(Math.floor(30_000 * rng.next() ** 3) + 1)
    const tag1 = rng.int(TAGS.length)
    const tag2 = (tag1 + 1 + rng.int(TAGS.length - 1)) % TAGS.length
    out
      .bytes(P.tags)
      .bytes(TAGS[tag1] as Uint8Array)
      .bytes(P.tagSep)
      .bytes(TAGS[tag2] as Uint8Array)
    out.bytes(P.ua).bytes(rng.pick(USER_AGENTS))
    out
      .bytes(P.region)
      .bytes(REGIONS[country] as Uint8Array)
      .bytes(P.end)
    return tenant
  }

  private session(): Uint8Array {
    const slot = this.rng.int(SESSION_SLOTS)
    if (this.rng.next() < 0.05) this.sessions[slot] = ascii(uuid(this.rng))
    return this.sessions[slot] as Uint8Array
  }
}

/** The junk line of `kind`: what a misbehaving producer really sends. */
export function junkLine(kind: JunkKind, n: number): string | Uint8Array {
  switch (kind) {
    case 'invalid_json':
      return `{"id":${n},"ts":"2026-11-01T00:00:00Z","event":"view","url":"/p/1`
    case 'not_object':
      return `[${n},"view","/p/1"]`
    case 'type_mismatch':
      return `{"id":"not-a-number-${n}","ts":"2026-11-01T00:00:00Z","event":"view"}`
    case 'bad_utf8':
      return new Uint8Array([
        ...new TextEncoder().encode('{"id":1,"url":"/p/'),
        0xff,
        0xfe,
        0x22,
        0x7d,
      ])
  }
}

/**
 * Writes every line in order, each followed by `onLine` (called after its newline); `onEvent`
 * hears each valid event's id and tenant number.
 */
function writeLines(
  opts: EventOptions,
  out: AsciiWriter,
  onLine: () => void,
  onEvent?: (id: number, tenant: number) => void,
): number {
  const factory = new EventFactory(opts.seed ?? 1, opts.tenants ?? 0)
  const junkEvery = opts.junkEvery ?? 0
  let junk = 0
  for (let id = 1; id <= opts.count; id++) {
    const tenant = factory.write(id, out)
    onEvent?.(id, tenant)
    out.byte(NEWLINE)
    onLine()
    if (junkEvery > 0 && id % junkEvery === 0) {
      const line = junkLine(JUNK_KINDS[junk % JUNK_KINDS.length] as JunkKind, junk)
      if (typeof line === 'string') out.text(line)
      else out.bytes(line)
      out.byte(NEWLINE)
      onLine()
      junk++
    }
  }
  return junk
}

/** Every line in order, without its newline: a valid event or junk that is valid UTF-8 as a
 * string, the bad-UTF-8 junk as bytes. Meant for tests; generateEvents is the fast path. */
export function eventLines(opts: EventOptions): Array<string | Uint8Array> {
  const out = new AsciiWriter()
  const lines: Array<string | Uint8Array> = []
  const decoder = new TextDecoder('utf-8', { fatal: true })
  writeLines(opts, out, () => {
    const line = out.take().subarray(0, -1)
    try {
      lines.push(decoder.decode(line))
    } catch {
      lines.push(line)
    }
  })
  return lines
}

/** Streams the ndjson bytes to `write` in chunks of about 1 MiB and returns what it wrote. */
export function generateEvents(
  opts: EventOptions,
  write: (chunk: Uint8Array) => void,
): EventsSummary {
  const out = new AsciiWriter(CHUNK_BYTES + (1 << 12))
  let bytes = 0
  let lines = 0
  const flush = () => {
    const chunk = out.take()
    bytes += chunk.length
    if (chunk.length > 0) write(chunk)
  }
  const tenants = opts.tenants ?? 0
  const perTenant =
    tenants > 0
      ? { counts: new Array<number>(tenants).fill(0), sumIds: new Array<number>(tenants).fill(0) }
      : undefined
  const junk = writeLines(
    opts,
    out,
    () => {
      lines++
      if (out.length >= CHUNK_BYTES) flush()
    },
    perTenant &&
      ((id, tenant) => {
        perTenant.counts[tenant - 1] = (perTenant.counts[tenant - 1] ?? 0) + 1
        perTenant.sumIds[tenant - 1] = (perTenant.sumIds[tenant - 1] ?? 0) + id
      }),
  )
  flush()
  const count = opts.count
  return {
    count,
    sumIds: (count * (count + 1)) / 2,
    bytes,
    lines,
    junk,
    ...(perTenant ? { perTenant } : {}),
  }
}

/** The tenant field value of tenant number `n` (1-based), as generated events spell it. */
export function tenantName(n: number): string {
  return `t${String(n).padStart(2, '0')}`
}

/** The whole ndjson text in memory, for tests and small files. */
export function eventsText(opts: EventOptions): { text: Buffer; summary: EventsSummary } {
  const chunks: Uint8Array[] = []
  const summary = generateEvents(opts, (chunk) => chunks.push(chunk))
  return { text: Buffer.concat(chunks), summary }
}
