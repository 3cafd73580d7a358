/**
 * @module scripts/demo
 * `npm run demo [-- --sink doris]`: real Kafka and ClickHouse (scripts/services; or the Doris test
 * server), a demo table, a million generated
 * events (a few junk ones among them, for the dead letter), the compiled binary moving them, and
 * a summary. Each run uses a fresh topic and group, so it can be repeated.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createTopic, produceFile } from '../tests/support/kafka-tools'
import { openDemoTarget, sinkArg } from './lib/demo-target'
import { generateEventsFile } from './lib/events-file'
import { REPO_ROOT } from './lib/repo-paths'
import { metricSum, runSinker } from './lib/sinker-run'

const count = Number(process.argv.find((a) => a.startsWith('--count='))?.slice(8) ?? 1_000_000)
const brokers = '127.0.0.1:19092'
const runId = Date.now().toString(36)
const topic = `sinker.demo.events.${runId}`
const dataDir = join(REPO_ROOT, 'data')

const say = (s: string) => process.stdout.write(`${s}\n`)

/** One progress line every 5 s: quiet enough for CI logs. */
function progress(): (rows: number, seconds: number) => void {
  let next = 0
  return (rows, seconds) => {
    if (seconds < next) return
    next = seconds + 5
    say(`  ${rows} rows landed after ${seconds.toFixed(0)} s`)
  }
}

mkdirSync(dataDir, { recursive: true })
const deadLetterFile = join(dataDir, 'dead-letter.ndjson')
rmSync(deadLetterFile, { force: true })
const target = await openDemoTarget(sinkArg(process.argv), 'sinker_demo')
say(`writing to ${target.name}`)
const events = await generateEventsFile({ count, junkEvery: 10_000 })
say(
  `generated ${events.summary.count} events (+${events.summary.junk} junk lines) in ${events.path}`,
)
await createTopic(brokers, topic, 6)
const t0 = performance.now()
await produceFile(brokers, topic, events.path)
say(
  `produced ${events.summary.lines} messages to ${topic} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)

const result = await runSinker({
  binary: join(REPO_ROOT, 'dist/sinker'),
  config: join(REPO_ROOT, 'configs/demo.yaml'),
  env: {
    SINKER__KAFKA__TOPICS: `[${topic}]`,
    SINKER__KAFKA__GROUP_ID: `sinker-demo-${runId}`,
    SINKER__TABLES__0__TOPIC: topic,
    SINKER__DEAD_LETTER__FILE: deadLetterFile,
    SINKER__LOG__LEVEL: 'warn',
    ...target.env,
  },
  metricsUrl: 'http://127.0.0.1:9090',
  expectRows: events.summary.count,
  countRows: () => target.count(),
  timeoutMs: 600_000,
  onProgress: progress(),
})
const sum = await target.sumIds()
await target.close()
const deadLettered = existsSync(deadLetterFile)
  ? readFileSync(deadLetterFile, 'utf8').trim().split('\n').filter(Boolean).length
  : 0
const lines = [
  `rows landed      ${result.rows} of ${events.summary.count} (sum of ids ${sum === String(events.summary.sumIds) ? 'matches' : `MISMATCH: ${sum} != ${events.summary.sumIds}`})`,
  `time             ${result.seconds.toFixed(1)} s from start of the binary to the last row`,
  `rate             ${Math.round(result.rows / result.seconds)} rows/s`,
  `consumer lag     ${metricSum(result.metrics, 'sinker_consumer_lag')} messages at the end`,
  `dead-lettered    ${deadLettered} messages in ${deadLetterFile} (expected ${events.summary.junk})`,
  `sinker CPU       ${result.cpuSeconds.toFixed(2)} s (${(result.cpuSeconds / (result.rows / 1e6)).toFixed(2)} s per 1M)`,
  `sinker peak RSS  ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  `exit code        ${result.exitCode} after SIGTERM`,
]
say('\n== sinker demo summary ==')
for (const l of lines) say(l)
const ok =
  result.rows === events.summary.count &&
  sum === String(events.summary.sumIds) &&
  result.exitCode === 0 &&
  deadLettered === events.summary.junk
process.exit(ok ? 0 : 1)
