/**
 * @module tests/support/shared-services
 * One Kafka and one ClickHouse per `bun test` process, started on first use and shared by every
 * test file; once the process exits a watchdog stops both and deletes their folders (bun test
 * runs no exit handlers). Nothing is reset between tests: use unique topic, group and table names.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, preferredPort } from '../../scripts/lib/ports'
import { guardService } from '../../scripts/lib/watchdog'
import { type ClickHouseServer, startClickHouse } from './clickhouse-server'
import { type KafkaBroker, startKafka } from './kafka-broker'

/** Preferred ports; when another process holds one, any free port is used instead. */
export const SHARED_PORTS = { kafka: 29092, clickhouseHttp: 28123, clickhouseTcp: 29000 }

let kafka: Promise<KafkaBroker> | undefined
let clickhouse: Promise<ClickHouseServer> | undefined

/** The process's Kafka broker; the first call starts it. A failed start is not retried. */
export function sharedKafka(): Promise<KafkaBroker> {
  kafka ??= startSharedKafka()
  return kafka
}

/** The process's ClickHouse server; the first call starts it. A failed start is not retried. */
export function sharedClickHouse(): Promise<ClickHouseServer> {
  clickhouse ??= startSharedClickHouse()
  return clickhouse
}

function scratchDir(service: string): string {
  return mkdtempSync(join(tmpdir(), `sinker-${service}-${process.pid}-`))
}

async function startSharedKafka(): Promise<KafkaBroker> {
  const dir = scratchDir('kafka')
  try {
    const port = await preferredPort(SHARED_PORTS.kafka)
    return await startKafka({ port, dir, removeDirOnExit: true })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

async function startSharedClickHouse(): Promise<ClickHouseServer> {
  const dir = scratchDir('clickhouse')
  try {
    const httpPort = await preferredPort(SHARED_PORTS.clickhouseHttp)
    let tcpPort = await preferredPort(SHARED_PORTS.clickhouseTcp)
    while (tcpPort === httpPort) tcpPort = await freePort()
    const server = await startClickHouse({ httpPort, tcpPort, dir })
    guardClickHouse(dir)
    return server
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

/** clickhouse-server.ts records the server's pid in its folder: the watchdog stops that pid. */
function guardClickHouse(dir: string): void {
  const pidFile = join(dir, 'clickhouse-server.pid')
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : Number.NaN
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new Error(`shared ClickHouse: no pid in ${pidFile}, so it could not be stopped at exit`)
  }
  guardService({ pid, removeDir: dir })
}
