/**
 * @module scripts/lib/sinker-run
 * Runs the compiled binary against a config until the expected rows have landed, then stops it
 * with SIGTERM, and reports what it measured: seconds to land, CPU seconds of the sinker process
 * (user+sys from /proc at the moment the rows had landed), peak RSS, exit code, last /metrics.
 */
import { readFileSync } from 'node:fs'

export interface SinkerRunOptions {
  binary: string
  config: string
  env: Record<string, string>
  metricsUrl: string
  expectRows: number
  countRows(): Promise<number>
  timeoutMs: number
  /** How often countRows is asked (default 250 ms). */
  pollMs?: number
  onProgress?(rows: number, seconds: number): void
}

export interface SinkerRunResult {
  rows: number
  seconds: number
  cpuSeconds: number
  peakRssBytes: number
  exitCode: number
  metrics: string
  stderrTail: string
}

const CLK_TCK = 100

export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

export function procPeakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

export async function runSinker(o: SinkerRunOptions): Promise<SinkerRunResult> {
  const started = performance.now()
  const proc = Bun.spawn([o.binary, 'run', '-c', o.config], {
    env: { ...process.env, ...o.env },
    stdout: 'ignore',
    stderr: 'pipe',
  })
  const stderr = new Response(proc.stderr).text()
  let rows = 0
  let cpuSeconds = 0
  let peakRssBytes = 0
  let metrics = ''
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`sinker exited early with ${proc.exitCode}`)
      rows = await o.countRows().catch(() => rows)
      const seconds = (performance.now() - started) / 1000
      o.onProgress?.(rows, seconds)
      if (rows >= o.expectRows) break
      if (seconds * 1000 > o.timeoutMs)
        throw new Error(`only ${rows} of ${o.expectRows} rows after ${seconds.toFixed(0)} s`)
      await Bun.sleep(o.pollMs ?? 250)
    }
    cpuSeconds = procCpuSeconds(proc.pid)
    peakRssBytes = procPeakRss(proc.pid)
    const seconds = (performance.now() - started) / 1000
    await Bun.sleep(1500)
    metrics = await fetch(`${o.metricsUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.text())
      .catch(() => '')
    peakRssBytes = Math.max(peakRssBytes, procPeakRss(proc.pid))
    proc.kill('SIGTERM')
    const exitCode = await proc.exited
    return {
      rows,
      seconds,
      cpuSeconds,
      peakRssBytes,
      exitCode,
      metrics,
      stderrTail: (await stderr).slice(-2000),
    }
  } catch (e) {
    proc.kill('SIGKILL')
    await proc.exited
    throw new Error(`${(e as Error).message}\n${(await stderr).slice(-3000)}`)
  }
}

/** Sums a Prometheus metric over all its label sets. */
export function metricSum(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

/** Runs a ClickHouse query over HTTP and returns the trimmed text answer. */
export async function clickhouseQuery(
  url: string,
  sql: string,
  timeoutMs = 30_000,
): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    body: sql,
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`ClickHouse: ${text.slice(0, 300)}`)
  return text.trim()
}
