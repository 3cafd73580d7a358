/**
 * @module cli/run
 * `sinker run`: load and check the config, build the pipeline and the HTTP server, run until a
 * stop request or a fatal error. Never starts half-configured: every config problem is exit 2
 * before anything connects.
 */
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import { loadConfig } from '../config/load'
import { redactConfig } from '../config/redact'
import { systemClock } from '../core/clock'
import { FatalError } from '../errors'
import { createHttpApp } from '../http/app'
import { startHttpServer } from '../http/server'
import { clickhouseStatements } from '../ledger/actions-clickhouse'
import { dorisStatements } from '../ledger/actions-doris'
import { openLedger } from '../ledger/open'
import { createActionRunner } from '../ledger/run-statements'
import { createLogger } from '../log/logger'
import { createMetrics } from '../metrics/metrics'
import { Pipeline } from '../pipeline/pipeline'
import { rowcodecAddon } from '../schema/native/rowcodec-addon'
import { KafkaSource } from '../source/kafka-source'
import { createDeadLetter, createSink } from './build-deps'
import type { CliIo, ExitCode } from './io'

export async function runCommand(configPath: string, io: CliIo): Promise<ExitCode> {
  const config = loadConfig({ path: configPath, env: io.env })
  const clock = systemClock
  const log = createLogger(config.log)
  const metrics = createMetrics()
  const sink = createSink(config, clock)
  const deadLetter = createDeadLetter(config)
  // Which row encoder the fast path uses: the native one unless rowcodec.node failed to load.
  const rowEncoder = rowcodecAddon() === null ? 'js' : 'native'
  log.info(
    { event: 'starting', row_encoder: rowEncoder, config: redactConfig(config) },
    'sinker starting',
  )
  const ledger = await openLedger({
    url: config.ledger.url,
    actionTimeoutMs: config.ledger.action_timeout_ms,
    clock,
  }).catch((e: Error) => {
    throw new FatalError(`cannot open the ledger ${config.ledger.url}: ${e.message}`)
  })
  const statements = sink.kind === 'clickhouse' ? clickhouseStatements : dorisStatements
  const pipeline = new Pipeline({
    config,
    createSource: (handlers) => new KafkaSource(config.kafka, handlers),
    sink,
    deadLetter,
    clock,
    log,
    metrics,
    ledger: {
      store: ledger.store,
      manifests: ledger.manifests,
      runAction: createActionRunner(statements, (sql, signal) => sink.runDdl(sql, signal)),
    },
  })
  const app = createHttpApp({
    readiness: () => pipeline.readiness(),
    status: () => pipeline.status(),
    metrics: metrics.registry,
    heapSnapshot: async () => {
      const path = writeHeapSnapshot(
        join(tmpdir(), `sinker-${process.pid}-${Date.now()}.heapsnapshot`),
      )
      return { path, remove: () => rm(path, { force: true }) }
    },
    debugToken: config.server.debug_token.reveal(),
  })
  const server = startHttpServer(app, config.server.listen)
  log.info({ event: 'http_listening', url: server.url }, `HTTP on ${server.url}`)
  io.onStop(() => {
    log.info({ event: 'stop_requested' }, 'stop requested: flushing and committing')
    pipeline.stop()
  })
  const code = await pipeline.run()
  await server.close()
  await ledger.close()
  log.flush()
  return code
}
