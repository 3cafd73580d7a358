/**
 * @module schema/chained-run-encoder
 * Two run encoders as one: the primary (native) encodes what it can; a message it declines is
 * offered to the fallback (the JS fast encoder) before the run stops, so one odd message does
 * not end a run. A schema the primary declines most messages of (e.g. Dates in a zone with
 * rules) stops paying for its attempts: after enough messages it is left out.
 */
import { RUN_DECLINED, RUN_DONE, RUN_FULL, type RunEncoder } from './run-encoder'

/** Messages seen before the primary may be judged. */
const JUDGE_AFTER = 1024
/** The primary is left out when it declines more than this share of messages. */
const MAX_DECLINED_SHARE = 0.25

export function chainedRunEncoder(primary: RunEncoder, fallback: RunEncoder): RunEncoder {
  let seen = 0
  let declined = 0
  let primaryOn = true
  const one = new Uint32Array(1)
  return {
    version: primary.version,
    usesRouteZone: primary.usesRouteZone || fallback.usesRouteZone,
    encodeRun(input, policy, from, to, out, pos, limit, rowEnds) {
      if (!primaryOn) return fallback.encodeRun(input, policy, from, to, out, pos, limit, rowEnds)
      let count = 0
      for (;;) {
        const ends = count === 0 ? rowEnds : rowEnds.subarray(count)
        const r = primary.encodeRun(input, policy, from + count, to, out, pos, limit, ends)
        const n = Math.floor(r / 4)
        seen += n
        count += n
        if (n > 0) pos = rowEnds[count - 1]!
        if ((r & 3) !== RUN_DECLINED) return count * 4 + (r & 3)
        const k = from + count
        const f = fallback.encodeRun(input, policy, k, k + 1, out, pos, limit, one)
        seen++
        declined++
        if (seen >= JUDGE_AFTER && declined > seen * MAX_DECLINED_SHARE) primaryOn = false
        if (Math.floor(f / 4) === 0) return count * 4 + (f & 3)
        rowEnds[count++] = one[0]!
        pos = one[0]!
        if ((f & 3) === RUN_FULL) return count * 4 + RUN_FULL
        if (count === to - from) return count * 4 + RUN_DONE
        if (!primaryOn) {
          const rest = fallback.encodeRun(
            input,
            policy,
            from + count,
            to,
            out,
            pos,
            limit,
            rowEnds.subarray(count),
          )
          return (count + Math.floor(rest / 4)) * 4 + (rest & 3)
        }
      }
    },
  }
}
