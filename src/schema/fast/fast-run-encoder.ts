/**
 * @module schema/fast/fast-run-encoder
 * The run encoder (schema/run-encoder) of the JS fast encoder: a loop over its encode(), so the
 * pipeline's run lane works the same whether or not the native encoder is available.
 */
import { RUN_DECLINED, RUN_DONE, RUN_FULL, RUN_ROOM, type RunEncoder } from '../run-encoder'
import { DECLINED, type FastEncoder } from './fast-encoder'

const NEWLINE = 0x0a

export function fastRunEncoder(fast: FastEncoder): RunEncoder {
  return {
    version: fast.version,
    usesRouteZone: fast.usesRouteZone,
    encodeRun(input, policy, from, to, out, pos, limit, rowEnds) {
      const { values, valueEnd, flags } = input
      const step = input.sep >= 0 ? 1 : 0
      let start = from === 0 ? 0 : valueEnd[from - 1]! + step
      let count = 0
      for (let i = from; i < to; i++) {
        const end = valueEnd[i]!
        const size = end - start
        if ((flags[i]! & policy.declineFlags) !== 0 || size > policy.maxValueBytes) {
          return count * 4 + RUN_DECLINED
        }
        if (pos + fast.maxRowBytes(size) + 1 > out.length) return count * 4 + RUN_ROOM
        const e = fast.encode(values, start, end, out, pos)
        if (e === DECLINED) return count * 4 + RUN_DECLINED
        out[e] = NEWLINE
        if (e + 1 > limit && pos > 0) return count * 4 + RUN_FULL
        pos = e + 1
        rowEnds[count++] = pos
        start = end + step
        if (pos >= limit) return count * 4 + RUN_FULL
      }
      return count * 4 + RUN_DONE
    },
  }
}
