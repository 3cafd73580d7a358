/**
 * @module scripts/lib/daemon
 * Background services that outlive the script that started them: spawn detached with a pid file,
 * check liveness, stop by pid. Only ever signals a pid whose command line still names the
 * service's own config file, so a reused pid is never killed.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Clock } from '../../src/core/clock'

export interface DaemonRef {
  readonly pidFile: string
  /** A string the process's command line must contain (its config file path). */
  readonly marker: string
}

/** The pid recorded in the pid file, if that process is alive and still ours. */
export function runningPid(ref: DaemonRef): number | null {
  if (!existsSync(ref.pidFile)) return null
  const pid = Number(readFileSync(ref.pidFile, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 && isOurs(pid, ref.marker) ? pid : null
}

function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(marker) && !isZombie(pid)
  } catch {
    return false
  }
}

function isZombie(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
}

/** Starts `cmd` in its own session with stdout and stderr appended to `logFile`. */
export function spawnDaemon(cmd: readonly string[], ref: DaemonRef, logFile: string): number {
  const fd = openSync(logFile, 'a')
  try {
    const [file, ...args] = cmd
    const child = spawn(file as string, args, { detached: true, stdio: ['ignore', fd, fd] })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${file}`)
    writeFileSync(ref.pidFile, `${child.pid}\n`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopDaemon(ref: DaemonRef, graceMs: number, clock: Clock): Promise<boolean> {
  const pid = runningPid(ref)
  if (pid === null) {
    rmSync(ref.pidFile, { force: true })
    return false
  }
  process.kill(pid, 'SIGTERM')
  const deadline = clock.now() + graceMs
  while (isOurs(pid, ref.marker) && clock.now() < deadline) await clock.sleep(100)
  if (isOurs(pid, ref.marker)) process.kill(pid, 'SIGKILL')
  const killDeadline = clock.now() + 10_000
  while (isOurs(pid, ref.marker)) {
    if (clock.now() > killDeadline) throw new Error(`pid ${pid} survived SIGKILL for 10 s`)
    await clock.sleep(50)
  }
  rmSync(ref.pidFile, { force: true })
  return true
}
