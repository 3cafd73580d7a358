/**
 * @module decode/number-text
 * A JSON number kept as its source text because a double cannot hold it exactly (SPEC §9: big
 * integers and long decimals never go through a double). Never parses or rounds the text.
 */

/** JSON.rawJSON (ES2026) lets JSON.stringify write the digits back verbatim. */
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON

export class NumberText {
  /** `text` is the number exactly as the message spelled it, e.g. `18446744073709551615`. */
  constructor(readonly text: string) {}

  /** Serialises as the bare number, so objects holding it stringify to their original text. */
  toJSON(): unknown {
    return rawJSON(this.text)
  }

  toString(): string {
    return this.text
  }
}
