/**
 * @module scripts/lib/clickhouse-service
 * The demo/bench ClickHouse of `scripts/services`: HTTP 127.0.0.1:18123, TCP 19000, data in
 * .services/clickhouse, run detached by tests/support/clickhouse-server and found again through
 * the pid file it writes. Never stops a process that is not this server.
 */
import { join, relative } from 'node:path'
import { systemClock } from '../../src/core/clock'
import { startClickHouse } from '../../tests/support/clickhouse-server'
import { type DaemonRef, runningPid, stopDaemon } from './daemon'
import { REPO_ROOT, SERVICES_DIR } from './repo-paths'
import type { ServiceStatus } from './service-status'

export const CLICKHOUSE_SERVICE = {
  httpPort: 18123,
  tcpPort: 19000,
  dir: join(SERVICES_DIR, 'clickhouse'),
}
const URL = `http://127.0.0.1:${CLICKHOUSE_SERVICE.httpPort}`
const STOP_GRACE_MS = 30_000

function daemonRef(): DaemonRef {
  return {
    pidFile: join(CLICKHOUSE_SERVICE.dir, 'clickhouse-server.pid'),
    marker: join(CLICKHOUSE_SERVICE.dir, 'config.xml'),
  }
}

async function answers(): Promise<boolean> {
  try {
    const res = await fetch(`${URL}/ping`, { signal: AbortSignal.timeout(2_000) })
    return res.ok && (await res.text()).startsWith('Ok.')
  } catch {
    return false
  }
}

export async function clickHouseServiceStatus(): Promise<ServiceStatus> {
  const pid = runningPid(daemonRef())
  const up = pid !== null && (await answers())
  return {
    name: 'clickhouse',
    state: pid === null ? 'stopped' : up ? 'running' : 'starting',
    pid,
    address: URL,
    dir: relative(REPO_ROOT, CLICKHOUSE_SERVICE.dir),
  }
}

/** Starts the server unless it already runs and answers; resolves once it answers. */
export async function startClickHouseService(log: (line: string) => void): Promise<ServiceStatus> {
  const status = await clickHouseServiceStatus()
  if (status.state === 'running') return status
  // startClickHouse stops a server of this folder that no longer answers, then starts afresh.
  await startClickHouse({ ...CLICKHOUSE_SERVICE, detached: true, log })
  return clickHouseServiceStatus()
}

/** Stops the server if it runs; true when there was one to stop. */
export function stopClickHouseService(): Promise<boolean> {
  return stopDaemon(daemonRef(), STOP_GRACE_MS, systemClock)
}
