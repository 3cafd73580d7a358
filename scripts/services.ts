/**
 * @module scripts/services
 * `scripts/services start|stop|status`: the demo/bench Kafka (127.0.0.1:19092) and ClickHouse
 * (HTTP 18123, TCP 19000) as background processes with their data in .services/. `start`
 * installs what is missing and returns once both answer; every command is idempotent. Never
 * touches a process it did not start.
 */
import { mkdirSync } from 'node:fs'
import {
  clickHouseServiceStatus,
  startClickHouseService,
  stopClickHouseService,
} from './lib/clickhouse-service'
import { ensurePackages } from './lib/debian-packages'
import { kafkaServiceStatus, startKafkaService, stopKafkaService } from './lib/kafka-service'
import { SERVICES_DIR } from './lib/repo-paths'
import { type ServiceStatus, statusLine } from './lib/service-status'

const USAGE = `usage: scripts/services start|stop|status
  start    install missing packages, start Kafka and ClickHouse, wait until both answer
  stop     stop both (SIGTERM, then SIGKILL after 30 s)
  status   one line per service; exit 0 only when both answer`

/** Debian packages the services and the test tools need. */
function neededPackages(): string[] {
  const packages = ['kcat', 'python3-confluent-kafka', 'clickhouse-server', 'clickhouse-client']
  return Bun.which('mvn') ? packages : [...packages, 'maven']
}

const log = (line: string) => console.error(line)

async function start(): Promise<number> {
  mkdirSync(SERVICES_DIR, { recursive: true })
  await ensurePackages(neededPackages(), log)
  const started = performance.now()
  const kafka = await startKafkaService(log)
  const clickhouse = await startClickHouseService(log)
  for (const status of [kafka, clickhouse]) console.log(statusLine(status))
  log(`services up in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return 0
}

async function stop(): Promise<number> {
  const [kafka, clickhouse] = await Promise.all([stopKafkaService(), stopClickHouseService()])
  console.log(`kafka       ${kafka ? 'stopped' : 'was not running'}`)
  console.log(`clickhouse  ${clickhouse ? 'stopped' : 'was not running'}`)
  return 0
}

async function status(): Promise<number> {
  const all: ServiceStatus[] = await Promise.all([kafkaServiceStatus(), clickHouseServiceStatus()])
  for (const s of all) console.log(statusLine(s))
  return all.every((s) => s.state === 'running') ? 0 : 3
}

async function main(argv: string[]): Promise<number> {
  const commands: Record<string, () => Promise<number>> = { start, stop, status }
  const command = argv.length === 1 ? commands[argv[0] as string] : undefined
  if (!command) {
    console.error(USAGE)
    return 2
  }
  try {
    return await command()
  } catch (err) {
    console.error(`services ${argv[0]}: ${(err as Error).message}`)
    return 1
  }
}

process.exit(await main(process.argv.slice(2)))
