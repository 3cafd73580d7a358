/**
 * @module scripts/lib/kafka-node
 * Lays out, formats and probes one single-node KRaft broker folder: config files, storage format
 * (once), the java command line, and "does it answer". Starts no long-lived process itself.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../src/core/clock'
import { classArchiveFlags, saveClassArchive } from './class-archive'
import { runChecked, runCommand } from './command'
import { clusterIdFrom, LOG4J2_PROPERTIES, serverProperties } from './kafka-config'
import { tcpAnswers } from './ports'

export interface KafkaLayout {
  readonly dir: string
  readonly properties: string
  readonly log4j: string
  readonly dataDir: string
  /** Everything the JVM prints. */
  readonly logFile: string
}

export interface PrepareKafkaOptions {
  readonly dir: string
  readonly port: number
  readonly controllerPort: number
  readonly libs: string
  readonly log: (line: string) => void
}

const FORMAT_TIMEOUT_MS = 120_000
const BROKER_TOOL = 'kafka-broker'
const PROBE_TIMEOUT_MS = 5_000

export function kafkaLayout(dir: string): KafkaLayout {
  return {
    dir,
    properties: join(dir, 'server.properties'),
    log4j: join(dir, 'log4j2.properties'),
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'kafka.log'),
  }
}

/** Writes the config (ports may differ from the last run) and formats the storage if new. */
export async function prepareKafkaNode(opts: PrepareKafkaOptions): Promise<KafkaLayout> {
  const layout = kafkaLayout(opts.dir)
  mkdirSync(layout.dataDir, { recursive: true })
  const settings = { port: opts.port, controllerPort: opts.controllerPort, dataDir: layout.dataDir }
  writeFileSync(layout.properties, serverProperties(settings))
  writeFileSync(layout.log4j, LOG4J2_PROPERTIES)
  if (existsSync(join(layout.dataDir, 'meta.properties'))) return layout
  const clusterId = newClusterId()
  opts.log(`formatting Kafka storage in ${layout.dataDir} (cluster ${clusterId})`)
  // A short-lived tool: the C1 compiler alone starts faster.
  const flags = ['-XX:TieredStopAtLevel=1', ...classArchiveFlags('storage-tool', layout.dir)]
  await runChecked(
    [
      ...javaPrefix(opts.libs, layout, '256m'),
      ...flags,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      layout.properties,
    ],
    { timeoutMs: FORMAT_TIMEOUT_MS },
  )
  saveClassArchive('storage-tool', layout.dir)
  return layout
}

/**
 * The broker's command line; the classpath wildcard is expanded by the JVM, not a shell. Call
 * saveBrokerClassArchive(layout) once the JVM has exited.
 */
export function kafkaCommand(libs: string, layout: KafkaLayout): string[] {
  return [
    ...javaPrefix(libs, layout, '1g'),
    ...classArchiveFlags(BROKER_TOOL, layout.dir),
    '-Xms256m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    'kafka.Kafka',
    layout.properties,
  ]
}

export function saveBrokerClassArchive(layout: KafkaLayout): void {
  saveClassArchive(BROKER_TOOL, layout.dir)
}

function javaPrefix(libs: string, layout: KafkaLayout, heap: string): string[] {
  return [
    'java',
    `-Xmx${heap}`,
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${layout.log4j}`,
    '-cp',
    `${libs}/*`,
  ]
}

function newClusterId(): string {
  for (;;) {
    const id = clusterIdFrom(crypto.getRandomValues(new Uint8Array(16)))
    if (id) return id
  }
}

/** True when the broker on `port` accepts connections and lists itself as an alive broker. */
export async function kafkaAnswers(port: number): Promise<boolean> {
  if (!(await tcpAnswers(port, 1_000))) return false
  try {
    const result = await runCommand(['kcat', '-L', '-J', '-m', '3', '-b', `127.0.0.1:${port}`], {
      timeoutMs: PROBE_TIMEOUT_MS,
    })
    if (result.code !== 0) return false
    const meta = JSON.parse(result.stdout) as { brokers?: unknown[] }
    return (meta.brokers?.length ?? 0) > 0
  } catch {
    return false
  }
}

export interface WaitForKafkaOptions {
  readonly port: number
  readonly timeoutMs: number
  readonly clock: Clock
  /** Non-null once the JVM has exited: why waiting is pointless. */
  readonly exited: () => string | null
}

/** Resolves once the broker answers; rejects when the JVM exits or the time is up. */
export async function waitForKafka(opts: WaitForKafkaOptions): Promise<void> {
  const deadline = opts.clock.now() + opts.timeoutMs
  for (;;) {
    const exited = opts.exited()
    if (exited !== null) throw new Error(`the Kafka broker exited before it answered (${exited})`)
    if (await kafkaAnswers(opts.port)) return
    if (opts.clock.now() > deadline) {
      throw new Error(
        `the Kafka broker on 127.0.0.1:${opts.port} did not answer within ${opts.timeoutMs} ms`,
      )
    }
    await opts.clock.sleep(200)
  }
}
