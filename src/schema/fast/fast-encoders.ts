/**
 * @module schema/fast/fast-encoders
 * The fast encoder of a schema snapshot and zone, compiled once per pair; a schema the fast path
 * cannot compile gets null (its rows take the slow path).
 */
import { perSnapshotAndZone } from '../snapshot-cache'
import { compileFastEncoder, type FastEncoder } from './fast-encoder'

export const fastEncoderFor = perSnapshotAndZone((snapshot, timezone): FastEncoder | null => {
  try {
    return compileFastEncoder(snapshot, { timezone })
  } catch {
    return null
  }
})
