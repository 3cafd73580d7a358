/**
 * @module tests/support/doris-server/faults
 * Fault switches tests arm to make the server misbehave on purpose, each for the next N matching
 * requests or with a probability, plus the per-kind request counters. Holds no timers; a switch
 * only decides, the routes act.
 */

/** Every kind of request the two ports answer, counted separately. */
export type RequestKind =
  | 'fe_stream_load'
  | 'fe_2pc'
  | 'schema'
  | 'sql_ddl'
  | 'sql_query'
  | 'fe_health'
  | 'load_state'
  | 'fe_unknown'
  | 'be_stream_load'
  | 'be_2pc'
  | 'be_health'
  | 'error_log'
  | 'be_unknown'

export const FE_KINDS: readonly RequestKind[] = [
  'fe_stream_load',
  'fe_2pc',
  'schema',
  'sql_ddl',
  'sql_query',
  'fe_health',
  'load_state',
  'fe_unknown',
]
export const BE_KINDS: readonly RequestKind[] = [
  'be_stream_load',
  'be_2pc',
  'be_health',
  'error_log',
  'be_unknown',
]

/** When a switch fires: the next `count` matching requests, or each with `probability`. */
export interface FaultPlan {
  readonly count?: number
  readonly probability?: number
  /** Request kinds the switch applies to (default: every kind its side of the server answers). */
  readonly only?: readonly RequestKind[]
}

type Armed<P> = { plan: FaultPlan; params: P; left: number }

export class FaultSwitch<P extends object = Record<never, never>> {
  #armed: Armed<P> | null = null
  #fired = 0

  constructor(
    private readonly defaults: P,
    private readonly kinds: readonly RequestKind[],
  ) {}

  /** Arms the switch, replacing any earlier plan. Without count or probability: count 1. */
  arm(plan: FaultPlan & Partial<P> = {}): void {
    const { count, probability, only, ...params } = plan
    const left = count ?? (probability === undefined ? 1 : Number.POSITIVE_INFINITY)
    this.#armed = {
      plan: { probability, only },
      params: { ...this.defaults, ...params } as P,
      left,
    }
  }

  disarm(): void {
    this.#armed = null
  }

  /** How many requests this switch has hit so far. */
  get fired(): number {
    return this.#fired
  }

  /** Decides for one request; returns the switch's parameters when it fires. */
  take(kind: RequestKind, random: () => number): P | null {
    const armed = this.#armed
    if (!armed || !(armed.plan.only ?? this.kinds).includes(kind)) return null
    const p = armed.plan.probability
    if (p !== undefined && random() >= p) return null
    armed.left--
    if (armed.left <= 0) this.#armed = null
    this.#fired++
    return armed.params
  }
}

export interface FaultSwitches {
  /** The FE answers this HTTP status (default 503) instead of doing its work. */
  readonly feError: FaultSwitch<{ status: number }>
  /** A BE answers this HTTP status (default 503) without reading the body. */
  readonly beError: FaultSwitch<{ status: number }>
  /** The FE closes the connection without answering. */
  readonly feReset: FaultSwitch
  /**
   * A BE closes the connection without answering: before reading the body (`headers`), after
   * reading it (`body`, nothing stored), or after committing the rows (`commit`: a lost answer).
   */
  readonly beReset: FaultSwitch<{ after: 'headers' | 'body' | 'commit' }>
  /** The FE waits `delayMs` before answering. */
  readonly feSlow: FaultSwitch<{ delayMs: number }>
  /** A BE waits `delayMs` after reading a load's body, with the label RUNNING, then goes on. */
  readonly beSlow: FaultSwitch<{ delayMs: number }>
  /** The rows are committed but the answer is `Publish Timeout` (txn COMMITTED). */
  readonly publishTimeout: FaultSwitch
  /**
   * A lost answer: the load is committed, then answered as its retry would be, `Label Already
   * Exists` with `ExistingJobStatus: FINISHED`.
   */
  readonly labelExists: FaultSwitch
  /** `current running txns on db … larger than limit …` (retryable; nothing stored). */
  readonly tooManyTxns: FaultSwitch
  /** The first `rows` good rows of a load are filtered (subject to max_filter_ratio). */
  readonly filterRows: FaultSwitch<{ rows: number }>
  /** The SQL API answers this statement with an Error body. */
  readonly sqlFail: FaultSwitch<{ message: string }>
}

const LOAD: readonly RequestKind[] = ['be_stream_load']
const SQL: readonly RequestKind[] = ['sql_ddl', 'sql_query']

export function createFaultSwitches(): FaultSwitches {
  return {
    feError: new FaultSwitch({ status: 503 }, FE_KINDS),
    beError: new FaultSwitch({ status: 503 }, BE_KINDS),
    feReset: new FaultSwitch({}, FE_KINDS),
    beReset: new FaultSwitch({ after: 'headers' as const }, BE_KINDS),
    feSlow: new FaultSwitch({ delayMs: 1000 }, FE_KINDS),
    beSlow: new FaultSwitch({ delayMs: 1000 }, LOAD),
    publishTimeout: new FaultSwitch({}, LOAD),
    labelExists: new FaultSwitch({}, LOAD),
    tooManyTxns: new FaultSwitch({}, LOAD),
    filterRows: new FaultSwitch({ rows: 1 }, LOAD),
    sqlFail: new FaultSwitch({ message: 'injected failure (faults.sqlFail)' }, SQL),
  }
}

export type RequestCounts = Record<RequestKind, number>

export function emptyCounts(): RequestCounts {
  return Object.fromEntries([...FE_KINDS, ...BE_KINDS].map((k) => [k, 0])) as RequestCounts
}
