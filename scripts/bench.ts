/**
 * @module scripts/bench
 * `npm run bench [-- --count=N] [--keys=K]`: N generated events (default 2,000,000, 6
 * partitions) into the real Kafka, the compiled binary moving them into a real ClickHouse table
 * with full coercion, and, on the same topic, `kcat -C -e -o beginning` as the floor a C consumer
 * sets. With K > 1 db keys (default 1: one fixed table) every event carries one of K tenants and
 * the route's table is the template `bench_${tenant}`, K tables created beforehand. Prints
 * messages/s, CPU seconds per million messages, peak RSS, and the ratio to kcat.
 */
import { openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTopic, produceFile } from '../tests/support/kafka-tools'
import { type DemoTarget, openDemoTarget, sinkArg } from './lib/demo-target'
import { generateEventsFile } from './lib/events-file'
import { type KeyedTarget, openKeyedTarget } from './lib/keyed-target'
import { REPO_ROOT } from './lib/repo-paths'
import { metricSum, procCpuSeconds, runSinker } from './lib/sinker-run'

function intArg(name: string, fallback: number, min: number, max: number): number {
  const text = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const value = text === undefined ? fallback : Number(text)
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new Error(`--${name} must be an integer from ${min} to ${max}, not ${text}`)
  return value
}

const count = intArg('count', 2_000_000, 1, 1e9)
const keys = intArg('keys', 1, 1, 100_000)
const brokers = '127.0.0.1:19092'
const runId = Date.now().toString(36)
const topic = `sinker.bench.${runId}`
const say = (s: string) => process.stdout.write(`${s}\n`)

const keyed: KeyedTarget | undefined =
  keys > 1 ? await openKeyedTarget(sinkArg(process.argv), 'sinker_bench_keys', keys) : undefined
const target: DemoTarget = keyed ?? (await openDemoTarget(sinkArg(process.argv), 'sinker_bench'))
if (keyed)
  say(`bench: ${keys} tables created in ${keyed.createSeconds.toFixed(1)} s (${keyed.name})`)
const events = await generateEventsFile(keyed ? { count, tenants: keys } : { count })
await createTopic(brokers, topic, 6)
await produceFile(brokers, topic, events.path)
say(
  `bench: ${count} events of ~${Math.round(events.summary.bytes / count)} B on ${topic} (6 partitions), ${keys} db key${keys > 1 ? 's' : ''}`,
)

const kcat = Bun.spawn(['kcat', '-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q'], {
  stdout: openSync('/dev/null', 'w'),
  stderr: 'inherit',
})
const kcatStart = performance.now()
await kcat.exited
const kcatSeconds = (performance.now() - kcatStart) / 1000
const kcatCpu = Number(kcat.resourceUsage()!.cpuTime.total) / 1e6
const kcatRss = kcat.resourceUsage()!.maxRSS

// The rate once rows flow (startup, group join and the first batch excluded), and what the
// ClickHouse server spent beside the sinker: both share this machine's cores.
let firstRow: { rows: number; seconds: number } | undefined
const serverCpuBefore = clickhouseServerCpu()
const r = await runSinker({
  binary: join(REPO_ROOT, 'dist/sinker'),
  config: join(REPO_ROOT, 'configs/demo.yaml'),
  env: {
    SINKER__KAFKA__TOPICS: `[${topic}]`,
    SINKER__KAFKA__GROUP_ID: `sinker-bench-${runId}`,
    SINKER__TABLES__0__TOPIC: topic,
    SINKER__DEAD_LETTER__FILE: join(REPO_ROOT, 'data/bench-dead-letter.ndjson'),
    SINKER__LOG__LEVEL: 'warn',
    ...(keyed ? { SINKER__TABLES__0__TABLE: keyed.tableTemplate } : {}),
    ...target.env,
  },
  metricsUrl: 'http://127.0.0.1:9090',
  expectRows: count,
  // Counting 10,000 tables costs ClickHouse more than the rows do: follow the sinker's own count
  // of rows the sink confirmed (once a second: a scrape is work for the sinker too), and check
  // the tables once at the end.
  pollMs: keyed ? 1000 : 250,
  countRows: keyed
    ? async () =>
        metricSum(
          await fetch('http://127.0.0.1:9090/metrics', { signal: AbortSignal.timeout(5000) }).then(
            (res) => res.text(),
          ),
          'sinker_rows_written_total',
        )
    : () => target.count(),
  timeoutMs: 900_000,
  onProgress: (rows, seconds) => {
    if (rows > 0 && firstRow === undefined) firstRow = { rows, seconds }
  },
})
const serverCpu = clickhouseServerCpu() - serverCpuBefore
const landed = keyed ? await target.count() : r.rows
const sum = await target.sumIds()
const tenantsWithEvents = events.summary.perTenant?.counts.filter((c) => c > 0).length ?? 1
const tablesWithRows = keyed ? await keyed.tablesWithRows() : 1
const dropSeconds = keyed ? await keyed.dropAll() : 0
await target.close()
const perM = (cpu: number) => cpu / (count / 1e6)
say('')
say('                      msgs/s     CPU s per 1M   peak RSS')
say(
  `sinker -> ${sinkArg(process.argv).padEnd(10)}  ${String(Math.round(count / r.seconds)).padStart(9)}  ${perM(r.cpuSeconds).toFixed(2).padStart(13)}  ${(r.peakRssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB`,
)
say(
  `kcat -C (floor)       ${String(Math.round(count / kcatSeconds)).padStart(9)}  ${perM(kcatCpu).toFixed(2).padStart(13)}  ${(kcatRss / 2 ** 20).toFixed(0).padStart(5)} MiB`,
)
say(`ratio sinker/kcat CPU ${(r.cpuSeconds / kcatCpu).toFixed(2)}x`)
if (firstRow !== undefined && r.seconds > firstRow.seconds) {
  say(
    `sinker msgs/s once rows flow ${Math.round((r.rows - firstRow.rows) / (r.seconds - firstRow.seconds))} (from ${firstRow.seconds.toFixed(1)} s)`,
  )
}
if (sinkArg(process.argv) === 'clickhouse' && serverCpu >= 0) {
  say(`clickhouse-server CPU s per 1M meanwhile ${perM(serverCpu).toFixed(2)} (same 2 cores)`)
}
say(
  `rows landed ${landed}, sum of ids ${sum === String(events.summary.sumIds) ? 'matches' : `MISMATCH ${sum}`}, exit ${r.exitCode}`,
)
if (keyed) {
  say(
    `tables with rows ${tablesWithRows} of ${tenantsWithEvents} tenants with events; tables dropped in ${dropSeconds.toFixed(1)} s`,
  )
}
const ok =
  landed === count &&
  sum === String(events.summary.sumIds) &&
  tablesWithRows === tenantsWithEvents &&
  r.exitCode === 0
process.exit(ok ? 0 : 1)

/** The local ClickHouse server's CPU seconds so far (user + sys), or -1 when it is not ours. */
function clickhouseServerCpu(): number {
  try {
    const pid = Number(
      readFileSync(join(REPO_ROOT, '.services/clickhouse/clickhouse-server.pid'), 'utf8'),
    )
    return procCpuSeconds(pid)
  } catch {
    return -1
  }
}
