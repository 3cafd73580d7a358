/**
 * @module tests/support/doris-server/auth
 * HTTP Basic credentials as Doris reads them (protocol reference §2): `user[@cluster]:password`,
 * the password may hold colons. Also builds the FE redirect's userinfo. Pure; never logs secrets.
 */

export interface Credentials {
  /** The user without any `@cluster` suffix. */
  readonly user: string
  readonly password: string
}

/** Credentials from an `Authorization: Basic …` header; null when missing or garbled. */
export function parseBasicAuth(header: string | null): Credentials | null {
  if (!header) return null
  const parts = header.trim().split(/\s+/)
  if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'basic') return null
  const decoded = Buffer.from(parts[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  const fullUser = decoded.slice(0, colon)
  return { user: fullUser.split('@')[0] ?? '', password: decoded.slice(colon + 1) }
}

/** True when the user exists and the password matches exactly. */
export function checkPassword(users: Readonly<Record<string, string>>, c: Credentials): boolean {
  return Object.hasOwn(users, c.user) && users[c.user] === c.password
}

/** The FE's text for a refused password (BaseController.checkPassword). */
export function accessDenied(c: Credentials | null, remoteIp: string): string {
  return `Access denied for ${c?.user ?? ''}@${remoteIp}`
}

// Java's URI constructor leaves unreserved, punctuation and non-ASCII characters in userinfo
// alone and quotes the rest; toASCIIString then escapes non-ASCII as UTF-8.
const USERINFO_SAFE = /[A-Za-z0-9_\-!.~'()*,;:$&+=]/

function quoteUserinfo(text: string): string {
  let out = ''
  for (const ch of text) {
    out += USERINFO_SAFE.test(ch)
      ? ch
      : Array.from(
          Buffer.from(ch, 'utf8'),
          (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join('')
  }
  return out
}

/** `user@default_cluster:password`, as the FE puts it in the 307 Location (reference §1). */
export function redirectUserinfo(c: Credentials): string {
  return `${quoteUserinfo(c.user)}@default_cluster:${quoteUserinfo(c.password)}`
}
