/**
 * @module cli/version
 * `sinker version`: sinker's, Bun's and librdkafka's versions, one per line.
 */
import pkg from '../../package.json'
import { loadKafka } from '../source/addon'
import type { CliIo, ExitCode } from './io'

export async function versionCommand(io: CliIo): Promise<ExitCode> {
  io.out(`sinker ${pkg.version}`)
  io.out(`bun ${Bun.version}`)
  io.out(`librdkafka ${loadKafka().librdkafkaVersion}`)
  return 0
}
