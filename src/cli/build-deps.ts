/**
 * @module cli/build-deps
 * Builds the I/O pieces a command needs from a validated config: the sink and the dead letter.
 * The one place that switches on sink.type and dead_letter kind.
 */
import type { Config } from '../config/schema'
import type { Clock } from '../core/clock'
import type { DeadLetter } from '../deadletter/dead-letter'
import { createDroppingDeadLetter } from '../deadletter/dead-letter'
import { createFileDeadLetter } from '../deadletter/file-dead-letter'
import { ConfigError } from '../errors'
import { createClickHouseSink } from '../sinks/clickhouse/index'
import { createDorisSink } from '../sinks/doris/index'
import type { Sink } from '../sinks/sink'

export function createSink(config: Config, clock: Clock): Sink {
  if (config.sink.type === 'doris') {
    const doris = config.sink.doris
    return createDorisSink(
      {
        feUrls: doris.fe_urls,
        user: doris.user,
        password: doris.password.reveal(),
        database: doris.database,
        format: doris.format,
        requestTimeoutMs: doris.request_timeout_ms,
      },
      { clock },
    )
  }
  const ch = config.sink.clickhouse
  return createClickHouseSink(
    {
      url: ch.url,
      user: ch.user,
      password: ch.password.reveal(),
      database: ch.database,
      compression: ch.compression,
      requestTimeoutMs: ch.request_timeout_ms,
    },
    { clock },
  )
}

export function createDeadLetter(config: Config): DeadLetter {
  const dl = config.dead_letter
  if (!dl) return createDroppingDeadLetter()
  if (dl.file) return createFileDeadLetter(dl.file)
  throw new ConfigError([
    'dead_letter.topic: a Kafka dead-letter topic is not available in this build yet; use dead_letter.file',
  ])
}
