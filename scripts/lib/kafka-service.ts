/**
 * @module scripts/lib/kafka-service
 * The demo/bench Kafka broker of `scripts/services`: 127.0.0.1:19092, data in .services/kafka,
 * a detached JVM that outlives the script, found again through its pid file. Never stops a
 * process that is not this broker.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { systemClock } from '../../src/core/clock'
import { tail } from './command'
import { type DaemonRef, runningPid, spawnDaemon, stopDaemon } from './daemon'
import { ensureKafkaJars } from './kafka-jars'
import {
  kafkaAnswers,
  kafkaCommand,
  kafkaLayout,
  prepareKafkaNode,
  saveBrokerClassArchive,
  waitForKafka,
} from './kafka-node'
import { portIsFree } from './ports'
import { REPO_ROOT, SERVICES_DIR } from './repo-paths'
import type { ServiceStatus } from './service-status'

export const KAFKA_SERVICE = {
  port: 19092,
  controllerPort: 19093,
  dir: join(SERVICES_DIR, 'kafka'),
}
const READY_TIMEOUT_MS = 120_000
const STOP_GRACE_MS = 30_000

function daemonRef(): DaemonRef {
  const layout = kafkaLayout(KAFKA_SERVICE.dir)
  return { pidFile: join(KAFKA_SERVICE.dir, 'kafka.pid'), marker: layout.properties }
}

export async function kafkaServiceStatus(): Promise<ServiceStatus> {
  const pid = runningPid(daemonRef())
  const answers = pid !== null && (await kafkaAnswers(KAFKA_SERVICE.port))
  return {
    name: 'kafka',
    state: pid === null ? 'stopped' : answers ? 'running' : 'starting',
    pid,
    address: `127.0.0.1:${KAFKA_SERVICE.port}`,
    dir: relative(REPO_ROOT, KAFKA_SERVICE.dir),
  }
}

/** Starts the broker unless it already runs; either way resolves once it answers. */
export async function startKafkaService(log: (line: string) => void): Promise<ServiceStatus> {
  const ref = daemonRef()
  const layout = kafkaLayout(KAFKA_SERVICE.dir)
  let pid = runningPid(ref)
  if (pid === null) {
    const libs = await ensureKafkaJars(log)
    for (const port of [KAFKA_SERVICE.port, KAFKA_SERVICE.controllerPort]) {
      if (!(await portIsFree(port)))
        throw new Error(`kafka: port ${port} on 127.0.0.1 is taken by another process`)
    }
    await prepareKafkaNode({ ...KAFKA_SERVICE, libs, log })
    pid = spawnDaemon(kafkaCommand(libs, layout), ref, layout.logFile)
    log(`kafka: started pid ${pid}, waiting for it to answer`)
  }
  const startedPid = pid
  try {
    await waitForKafka({
      port: KAFKA_SERVICE.port,
      timeoutMs: READY_TIMEOUT_MS,
      clock: systemClock,
      exited: () => (runningPid(ref) === startedPid ? null : 'the process is gone'),
    })
  } catch (err) {
    const logTail = existsSync(layout.logFile) ? tail(readFileSync(layout.logFile, 'utf8'), 40) : ''
    throw new Error(
      `kafka: ${(err as Error).message}\n--- ${layout.logFile} (tail) ---\n${logTail}`,
    )
  }
  return kafkaServiceStatus()
}

/** Stops the broker if it runs; true when there was one to stop. */
export async function stopKafkaService(): Promise<boolean> {
  const stopped = await stopDaemon(daemonRef(), STOP_GRACE_MS, systemClock)
  saveBrokerClassArchive(kafkaLayout(KAFKA_SERVICE.dir))
  return stopped
}
