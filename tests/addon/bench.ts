/**
 * @module tests/addon/bench
 * Measures the packed consume in the compiled probe against `kcat -C -e -o beginning` on the same
 * topic: starts its own broker, writes N JSON messages of ~180 B over 6 partitions, then runs
 * each consumer R times. Usage: bun tests/addon/bench.ts [messages=2000000] [runs=3]
 * Prints a table; asserts nothing. Run scripts/build --probe first.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '../../scripts/lib/ports'
import { startKafka } from '../support/kafka-broker'

const REPO = resolve(import.meta.dir, '../..')
const PROBE = join(REPO, 'dist', 'addon-probe')
const PARTITIONS = 6

interface Measured {
  consumer: string
  messages: number
  seconds: number
  cpuSeconds: number
  peakRssMb: number
}

/** One ~180-byte event per line, written in chunks to keep this process small. */
function writeEvents(path: string, n: number): void {
  let lines: string[] = []
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        id: i,
        ts: new Date(1_790_000_000_000 + i * 37).toISOString(),
        user: `user-${i % 10_000}`,
        event: ['click', 'view', 'buy'][i % 3],
        value: (i % 1000) / 4,
        tags: ['a', 'b'],
        meta: { region: 'eu-west-1', ua: 'Mozilla/5.0 (X11; Linux x86_64)' },
      }),
    )
    if (lines.length === 100_000 || i === n - 1) {
      appendFileSync(path, `${lines.join('\n')}\n`)
      lines = []
    }
  }
}

/** Peak RSS (VmHWM) of a running process in MB, or 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const hwm = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m)
    return hwm ? Math.round(Number(hwm[1]) / 1024) : 0
  } catch {
    return 0
  }
}

/**
 * Runs a command to its exit. CPU is the kernel's utime+stime for it (wait4, as /proc/<pid>/stat
 * counts); peak RSS is VmHWM sampled while it runs (wait4's maxrss also counts the pre-exec fork).
 */
async function measure(consumer: string, cmd: string[], messages: number): Promise<Measured> {
  const started = performance.now()
  // kcat writes every value: to /dev/null, as in notes/kafka-on-bun.md. The probe prints JSON.
  const stdout = consumer === 'kcat' ? 'ignore' : 'pipe'
  const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout, stderr: 'inherit' })
  let peak = 0
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRssMb(proc.pid))
  }, 20)
  const out = proc.stdout ? await new Response(proc.stdout).text() : ''
  const code = await proc.exited
  clearInterval(sampler)
  const seconds = (performance.now() - started) / 1000
  if (code !== 0) throw new Error(`${consumer} exited with ${code}: ${out.slice(-500)}`)
  const usage = proc.resourceUsage()
  const cpuSeconds = usage ? Number(usage.cpuTime.total) / 1e6 : Number.NaN
  if (consumer === 'packed') {
    const line = JSON.parse(out.trim().split('\n').pop() ?? '{}')
    if (line.result?.messages !== messages || line.result?.notObjects !== 0) {
      throw new Error(`probe read ${JSON.stringify(line)}`)
    }
    // The probe times from its first batch (no process start, no group join) and reports its
    // own /proc/self figures.
    const { seconds: s, cpuSeconds: cpu, peakRssMb: rss } = line.result
    return { consumer, messages, seconds: s, cpuSeconds: cpu, peakRssMb: rss }
  }
  return { consumer, messages, seconds, cpuSeconds, peakRssMb: peak }
}

function row(m: Measured, kcatCpuPer1M: number): string {
  const per1M = m.cpuSeconds / (m.messages / 1e6)
  return [
    m.consumer.padEnd(7),
    String(Math.round(m.messages / m.seconds)).padStart(9),
    per1M.toFixed(3).padStart(8),
    (per1M / kcatCpuPer1M).toFixed(2).padStart(6),
    String(m.peakRssMb).padStart(6),
  ].join(' | ')
}

async function main(): Promise<void> {
  const messages = Number(process.argv[2] ?? 2_000_000)
  const runs = Number(process.argv[3] ?? 3)
  const work = mkdtempSync(join(tmpdir(), 'sinker-bench-'))
  const broker = await startKafka({ port: await freePort(), dir: join(work, 'kafka') })
  try {
    const file = join(work, 'events.ndjson')
    writeEvents(file, messages)
    await broker.createTopic('bench', PARTITIONS)
    const produced = await broker.produceFile('bench', file)
    console.error(`bench: ${produced} messages in topic bench (${PARTITIONS} partitions)`)
    const kcat = ['kcat', '-C', '-b', broker.brokers, '-t', 'bench', '-e', '-o', 'beginning', '-q']
    const results: Measured[] = []
    for (let r = 0; r < runs; r++) {
      results.push(await measure('kcat', [...kcat, '-f', '%s\n'], messages))
      const config = { mode: 'bench', brokers: broker.brokers, group: `bench-${r}`, topic: 'bench' }
      results.push(
        await measure('packed', [PROBE, JSON.stringify({ ...config, expect: messages })], messages),
      )
    }
    const kcatRuns = results.filter((m) => m.consumer === 'kcat')
    const kcatPer1M =
      kcatRuns.reduce((s, m) => s + m.cpuSeconds / (m.messages / 1e6), 0) / kcatRuns.length
    console.log('consumer | msgs/s | CPU s/1M | x kcat | peak RSS MB')
    for (const m of results) console.log(row(m, kcatPer1M))
  } finally {
    await broker.stop()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
