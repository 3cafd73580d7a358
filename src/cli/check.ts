/**
 * @module cli/check
 * `sinker check`: validate the config, then try each dependency (Kafka, the sink, each fixed
 * target table, the dead letter), one line per check. Exit 0 only if every check passes.
 */
import { access, constants, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { loadConfig } from '../config/load'
import type { Config } from '../config/schema'
import { systemClock } from '../core/clock'
import { withDeadline } from '../core/deadline'
import { Router } from '../route/router'
import type { Sink } from '../sinks/sink'
import { KafkaSource } from '../source/kafka-source'
import { createSink } from './build-deps'
import type { CliIo, ExitCode } from './io'

const CHECK_TIMEOUT_MS = 10_000

type Check = { name: string; run(): Promise<string> }

export async function checkCommand(configPath: string, io: CliIo): Promise<ExitCode> {
  const config = loadConfig({ path: configPath, env: io.env })
  io.out(`ok    config ${configPath}`)
  const sink = createSink(config, systemClock)
  const checks: Check[] = [
    { name: 'kafka', run: () => checkKafka(config) },
    { name: `sink ${config.sink.type}`, run: () => checkSink(sink) },
    ...tableChecks(config, sink),
    ...(config.dead_letter?.file
      ? [{ name: 'dead letter', run: () => checkFile(config.dead_letter!.file!) }]
      : []),
  ]
  let failed = 0
  for (const c of checks) {
    try {
      const detail = await withDeadline(c.name, CHECK_TIMEOUT_MS + 2000, () => c.run())
      io.out(`ok    ${c.name}${detail ? `: ${detail}` : ''}`)
    } catch (e) {
      failed++
      io.out(`FAIL  ${c.name}: ${(e as Error).message}`)
    }
  }
  await sink.close()
  return failed === 0 ? 0 : 1
}

async function checkKafka(config: Config): Promise<string> {
  let error: string | undefined
  const source = new KafkaSource(config.kafka, {
    onAssign: () => undefined,
    onRevoke: async () => undefined,
    onError: (message) => {
      error ??= message
    },
  })
  try {
    await source.connect(CHECK_TIMEOUT_MS)
    if (error) throw new Error(error)
    return `connected to ${config.kafka.brokers.join(',')}`
  } finally {
    await source.close(5000)
  }
}

async function checkSink(sink: Sink): Promise<string> {
  const c = await withDeadline('probe', CHECK_TIMEOUT_MS, (s) => sink.probe(s))
  if (!c.ok) throw new Error(c.detail)
  return c.detail
}

function tableChecks(config: Config, sink: Sink): Check[] {
  const router = new Router(
    config.tables,
    config.sink.type === 'clickhouse'
      ? config.sink.clickhouse.database
      : (config.sink.doris?.database ?? 'demo'),
  )
  return router.routes.map((r) => ({
    name: `table ${r.database.text}.${r.table.text}`,
    run: async () => {
      if (!r.fixed) return 'template: resolved per message'
      const cols = await withDeadline('describe', CHECK_TIMEOUT_MS, (s) =>
        sink.describe({ database: r.database.text, table: r.table.text }, s),
      )
      if (cols === null) throw new Error('table does not exist')
      if (config.delivery.guarantee !== 'exactly_once') return `${cols.length} columns`
      const dedup = await withDeadline('deduplication', CHECK_TIMEOUT_MS, (s) =>
        sink.deduplication({ database: r.database.text, table: r.table.text }, s),
      )
      if (!dedup.ok) throw new Error(`exactly_once cannot be kept: ${dedup.detail}`)
      return `${cols.length} columns; exactly_once: ${dedup.detail}`
    },
  }))
}

async function checkFile(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true })
  await access(dirname(path), constants.W_OK)
  return `${path} writable`
}
