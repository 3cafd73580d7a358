/**
 * @module schema/fast/converter
 * The shape of a fast converter: one scanned JSON token in, the column's JSONEachRow text out as
 * bytes. A converter that cannot prove its output equals the slow coercer's returns DECLINE (the
 * row is rebuilt by the slow path); it never reports a type_mismatch itself.
 */
import type { FastRow } from './fast-row'
import type { Token } from './json-scan'

/** Not on the fast path: the row is declined. */
export const DECLINE = 0
/** The output was written at row.pos (and row.pos moved past it). */
export const WROTE = 1
/**
 * The output is the token's own bytes, src[t.start, t.end): the caller copies them (often as part
 * of a longer run). Whatever the converter wrote is scratch: the caller restores row.pos.
 */
export const SAME = 2

export type Converter = (t: Token, row: FastRow) => number

/** Output bytes a converter may write beyond twice its token's length (padding, quotes). */
export const VALUE_SLACK = 96

export const decline: Converter = () => DECLINE
