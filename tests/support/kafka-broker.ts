/**
 * @module tests/support/kafka-broker
 * A real single-node Apache Kafka (KRaft) broker as a child JVM on 127.0.0.1, for integration
 * tests. Never listens beyond loopback, and never outlives this process: a watchdog stops it.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { ensurePackages } from '../../scripts/lib/debian-packages'
import { ensureKafkaJars, KAFKA_VERSION } from '../../scripts/lib/kafka-jars'
import {
  kafkaCommand,
  prepareKafkaNode,
  saveBrokerClassArchive,
  waitForKafka,
} from '../../scripts/lib/kafka-node'
import { freePort, portIsFree } from '../../scripts/lib/ports'
import { guardService } from '../../scripts/lib/watchdog'
import { systemClock } from '../../src/core/clock'
import { withDeadline } from '../../src/core/deadline'
import {
  commitOffsets,
  createTopic,
  endOffsets,
  groupOffsets,
  KAFKA_TOOL_PACKAGES,
  type KafkaMessage,
  type KafkaRecord,
  produceFile,
  produceMessages,
  readTopic,
} from './kafka-tools'

export type { KafkaMessage, KafkaRecord } from './kafka-tools'

export interface StartKafkaOptions {
  /** Client port on 127.0.0.1. */
  readonly port: number
  /** Config, data and kafka.log; reused (not reformatted) when it already holds a broker's data. */
  readonly dir: string
  /** Receives progress lines and every line the broker logs. */
  readonly log?: (line: string) => void
  /** KRaft controller port on 127.0.0.1; default: any free port. */
  readonly controllerPort?: number
  /** How long to wait for the broker to answer (default 90 s). */
  readonly readyTimeoutMs?: number
  /** Delete `dir` once this process has exited and the broker has stopped (default false). */
  readonly removeDirOnExit?: boolean
}

export interface KafkaBroker {
  /** bootstrap.servers for clients: `127.0.0.1:<port>`. */
  readonly brokers: string
  readonly pid: number
  readonly dir: string
  createTopic(name: string, partitions: number): Promise<void>
  produce(topic: string, messages: KafkaMessage[]): Promise<void>
  /** One message per non-empty line, spread over the partitions; returns how many. */
  produceFile(topic: string, ndjsonPath: string): Promise<number>
  /** Committed offset per partition; partitions without a commit are absent. */
  groupOffsets(group: string, topic: string): Promise<Map<number, number>>
  endOffsets(topic: string): Promise<Map<number, number>>
  commitOffsets(group: string, topic: string, offsets: Map<number, number>): Promise<void>
  /** Every record up to the current end; for small topics such as dead letters. */
  readTopic(topic: string): Promise<KafkaRecord[]>
  /** Idempotent: stops the JVM (SIGTERM, SIGKILL after 15 s) and waits for its exit. */
  stop(): Promise<void>
}

const STOP_GRACE_MS = 15_000
const TAIL_LINES = 60

export async function startKafka(opts: StartKafkaOptions): Promise<KafkaBroker> {
  const log = opts.log ?? (() => {})
  await ensurePackages(KAFKA_TOOL_PACKAGES, log)
  const libs = await ensureKafkaJars(log)
  const controllerPort = opts.controllerPort ?? (await freePort())
  for (const port of [opts.port, controllerPort]) {
    // Otherwise another broker on the port would answer while ours fails to bind.
    if (!(await portIsFree(port))) throw new Error(`port ${port} on 127.0.0.1 is already in use`)
  }
  const layout = await prepareKafkaNode({
    dir: opts.dir,
    port: opts.port,
    controllerPort,
    libs,
    log,
  })
  const jvm = launchJvm(kafkaCommand(libs, layout), layout.logFile, log, () =>
    saveBrokerClassArchive(layout),
  )
  guardService({ pid: jvm.pid, ...(opts.removeDirOnExit ? { removeDir: opts.dir } : {}) })
  const brokers = `127.0.0.1:${opts.port}`
  try {
    await waitForKafka({
      port: opts.port,
      timeoutMs: opts.readyTimeoutMs ?? 90_000,
      clock: systemClock,
      exited: jvm.exitReason,
    })
  } catch (err) {
    await jvm.stop()
    throw new Error(`${(err as Error).message}\n--- ${layout.logFile} (tail) ---\n${jvm.tail()}`)
  }
  log(`Kafka ${KAFKA_VERSION} answers on ${brokers} (pid ${jvm.pid}, dir ${opts.dir})`)
  return {
    brokers,
    pid: jvm.pid,
    dir: opts.dir,
    createTopic: (name, partitions) => createTopic(brokers, name, partitions),
    produce: (topic, messages) => produceMessages(brokers, topic, messages),
    produceFile: (topic, path) => produceFile(brokers, topic, path),
    groupOffsets: (group, topic) => groupOffsets(brokers, group, topic),
    endOffsets: (topic) => endOffsets(brokers, topic),
    commitOffsets: (group, topic, offsets) => commitOffsets(brokers, group, topic, offsets),
    readTopic: (topic) => readTopic(brokers, topic),
    stop: jvm.stop,
  }
}

interface Jvm {
  readonly pid: number
  exitReason(): string | null
  tail(): string
  stop(): Promise<void>
}

/** Spawns the broker with its output copied to `logFile`, kept as a tail, and passed to `log`. */
function launchJvm(
  cmd: string[],
  logFile: string,
  log: (line: string) => void,
  afterExit: () => void,
): Jvm {
  const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const lines: string[] = []
  const fd = openSync(logFile, 'a')
  const onLine = (line: string) => {
    lines.push(line)
    if (lines.length > TAIL_LINES) lines.shift()
    log(line)
  }
  const pumped = Promise.all([pump(proc.stdout, fd, onLine), pump(proc.stderr, fd, onLine)])
    .then(() => undefined)
    .finally(() => closeSync(fd))
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= stopJvm(proc)
      .then(() => pumped)
      .then(afterExit)
    return stopping
  }
  return {
    pid: proc.pid,
    exitReason: () =>
      proc.exitCode !== null || proc.signalCode !== null
        ? `exit code ${proc.exitCode ?? proc.signalCode}`
        : null,
    tail: () => lines.join('\n'),
    stop,
  }
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  fd: number,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder()
  let partial = ''
  for await (const chunk of stream) {
    writeSync(fd, chunk)
    const text = partial + decoder.decode(chunk, { stream: true })
    const parts = text.split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) onLine(line)
  }
  if (partial) onLine(partial)
}

async function stopJvm(proc: Bun.Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  proc.kill('SIGTERM')
  try {
    await withDeadline('Kafka broker shutdown', STOP_GRACE_MS, () => proc.exited)
  } catch {
    proc.kill('SIGKILL')
    await proc.exited
  }
}
