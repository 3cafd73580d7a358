/**
 * @module config/secret
 * A configured secret (password, token). It prints, serialises and inspects as `**REDACTED**`;
 * only an explicit `reveal()` at the point of use yields the value. It must never be logged.
 */

export const REDACTED = '**REDACTED**'

export class Secret {
  // A private field, so neither inspection nor enumeration can reach the value.
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The secret text, for the one call that sends it (an HTTP header, a client option). */
  reveal(): string {
    return this.#value
  }

  /** True for the empty secret, which the config uses to mean "not set". */
  isEmpty(): boolean {
    return this.#value === ''
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED
  }
}
