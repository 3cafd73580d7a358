/**
 * @module scripts/lib/service-status
 * What `scripts/services status` reports for one service, and its one-line rendering. Pure.
 */

export interface ServiceStatus {
  readonly name: string
  /** running: alive and answering; starting: alive, not answering; stopped: no process. */
  readonly state: 'running' | 'starting' | 'stopped'
  readonly pid: number | null
  readonly address: string
  readonly dir: string
}

export function statusLine(s: ServiceStatus): string {
  const pid = s.pid === null ? '' : `pid ${s.pid}`
  return `${s.name.padEnd(11)} ${s.state.padEnd(9)} ${pid.padEnd(11)} ${s.address.padEnd(24)} ${s.dir}`
}
