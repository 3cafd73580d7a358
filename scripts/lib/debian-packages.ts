/**
 * @module scripts/lib/debian-packages
 * Installs the Debian packages the test services need when they are missing: one `apt-get update`,
 * then one install, waiting for a dpkg lock another process holds. Never removes or upgrades.
 */
import { systemClock } from '../../src/core/clock'
import { runCommand, tail } from './command'

const LOCK_WAIT_MS = 15 * 60_000
const APT_TIMEOUT_MS = 20 * 60_000
// apt waits this long for the dpkg frontend lock itself; the lists lock of `update` is retried here.
const APT_OPTIONS = ['-o', 'DPkg::Lock::Timeout=900', '-o', 'Dpkg::Use-Pty=0', '-q']
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own placeholders
const STATUS_FORMAT = '-f=${Package} ${Status}\n'
const LOCKED = /Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock/

/** The packages of `names` that dpkg does not report as installed. */
export async function missingPackages(names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return []
  const result = await runCommand(['dpkg-query', '-W', STATUS_FORMAT, ...names], {
    timeoutMs: 30_000,
  })
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  )
  return names.filter((name) => !installed.has(name))
}

/** Installs whichever of `names` are missing; resolves at once when none are. */
export async function ensurePackages(
  names: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const missing = await missingPackages(names)
  if (missing.length === 0) return
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')} (run as root: apt-get install ${missing.join(' ')})`,
    )
  }
  log(`installing Debian packages: ${missing.join(' ')}`)
  await aptGet(['update'], log)
  await aptGet(['install', '-y', '--no-install-recommends', ...missing], log)
}

async function aptGet(args: readonly string[], log: (line: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const deadline = systemClock.now() + LOCK_WAIT_MS
  for (;;) {
    const result = await runCommand(['apt-get', ...APT_OPTIONS, ...args], {
      timeoutMs: APT_TIMEOUT_MS,
      env,
    })
    if (result.code === 0) return
    const said = `${result.stderr}\n${result.stdout}`
    if (!LOCKED.test(said) || systemClock.now() > deadline) {
      throw new Error(
        `apt-get ${args.join(' ')} failed (code ${result.code}):\n${tail(said.trim(), 20)}`,
      )
    }
    log(`apt-get ${args[0]}: another process holds the package lock; waiting`)
    await systemClock.sleep(3_000)
  }
}
