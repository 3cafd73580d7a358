/**
 * @module tests/support/sinker-process
 * Runs the compiled binary (dist/sinker) as an operator would: a YAML config written to a temp
 * folder, its own HTTP port, stdout/stderr captured. Stop with SIGTERM or kill -9.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '../../scripts/lib/ports'

export const BINARY = resolve(import.meta.dir, '../../dist/sinker')

export interface SinkerProcess {
  readonly url: string
  readonly dir: string
  readonly proc: ReturnType<typeof Bun.spawn>
  output(): string
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number>
  kill9(): Promise<void>
  get(path: string): Promise<{ status: number; text: string }>
  waitFor(pred: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void>
}

export interface SinkerConfig {
  brokers: string
  topic: string
  group: string
  clickhouseUrl: string
  database: string
  table: string
  deadLetterFile?: string
  /** Flow YAML replacing the default `batch` / `delivery` sections. */
  batch?: string
  delivery?: string
  extra?: string
}

export function configYaml(c: SinkerConfig, listen: string): string {
  return `kafka:
  brokers: ["${c.brokers}"]
  group_id: ${c.group}
  topics: ["${c.topic}"]
  start_from: earliest
  rdkafka: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
sink:
  type: clickhouse
  clickhouse: { url: "${c.clickhouseUrl}", database: ${c.database} }
tables:
  - topic: "${c.topic}"
    table: ${c.table}
batch: ${c.batch ?? '{ max_rows: 20000, max_interval_ms: 500 }'}
delivery: ${c.delivery ?? '{ shutdown_timeout_ms: 10000, retry: { initial_backoff_ms: 100, max_backoff_ms: 1000 } }'}
${c.deadLetterFile ? `dead_letter: { file: "${c.deadLetterFile}" }\n` : ''}server: { listen: "${listen}" }
log: { level: info }
${c.extra ?? ''}`
}

export async function startSinker(
  config: SinkerConfig | string | ((listen: string) => string),
  env: Record<string, string> = {},
): Promise<SinkerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sinker-run-'))
  mkdirSync(join(dir, 'data'), { recursive: true })
  const port = await freePort()
  const listen = `127.0.0.1:${port}`
  const file = join(dir, 'sinker.yaml')
  const text =
    typeof config === 'string'
      ? config
      : typeof config === 'function'
        ? config(listen)
        : configYaml(config, listen)
  writeFileSync(file, text)
  let out = ''
  const proc = Bun.spawn([BINARY, 'run', '-c', file], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const collect = async (s: ReadableStream<Uint8Array>) => {
    const dec = new TextDecoder()
    for await (const chunk of s) out = (out + dec.decode(chunk)).slice(-200_000)
  }
  const collected = Promise.all([collect(proc.stdout), collect(proc.stderr)])
  const url = `http://${listen}`
  const sp: SinkerProcess = {
    url,
    dir,
    proc,
    output: () => out,
    async stop(graceMs = 30_000) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      const code = await proc.exited
      clearTimeout(timer)
      await collected
      return code
    },
    async kill9() {
      proc.kill('SIGKILL')
      await proc.exited
      await collected
    },
    async get(path) {
      try {
        const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) })
        return { status: res.status, text: await res.text() }
      } catch (e) {
        return { status: 0, text: String(e) }
      }
    },
    async waitFor(pred, timeoutMs, what) {
      const until = Date.now() + timeoutMs
      for (;;) {
        if (proc.exitCode !== null)
          throw new Error(
            `sinker exited (${proc.exitCode}) while waiting for ${what}\n${out.slice(-3000)}`,
          )
        if (await pred().catch(() => false)) return
        if (Date.now() > until)
          throw new Error(`timed out waiting for ${what}\n${out.slice(-3000)}`)
        await Bun.sleep(200)
      }
    },
  }
  return sp
}
