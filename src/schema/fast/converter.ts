/**
 * @module schema/fast/converter
 * The shape of a fast converter: one scanned JSON token in, the column's JSONEachRow text out as
 * bytes. A converter that cannot prove its output equals the slow coercer's returns false (the
 * row is declined and rebuilt by the slow path); it never reports a type_mismatch itself.
 */
import type { FastRow } from './fast-row'
import type { Token } from './json-scan'

export type Converter = (t: Token, row: FastRow) => boolean

/** Output bytes a converter may write beyond twice its token's length (padding, quotes). */
export const VALUE_SLACK = 96

export const decline: Converter = () => false
