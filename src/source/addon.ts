/**
 * @module source/addon
 * Loads the Kafka client under Bun: the bridge and the addon built by scripts/build-addon (via
 * addon-shim.cjs), then the package's callback-style RdKafka API. Never loads the KafkaJS API:
 * under Bun it grows memory without bound (notes/kafka-on-bun.md).
 */
import type { KafkaConsumer } from '@confluentinc/kafka-javascript'
import { plugin } from 'bun'
import { FatalError } from '../errors'

export type KafkaConsumerClass = typeof KafkaConsumer

export interface KafkaAddon {
  /** The node-rdkafka-style consumer: connect/subscribe/commitSync, plus consumePacked. */
  readonly KafkaConsumer: KafkaConsumerClass
  readonly librdkafkaVersion: string
}

interface RdKafkaModule {
  KafkaConsumer: KafkaConsumerClass
  librdkafkaVersion: string
}

/** The package's one file that asks `bindings` for the addon. */
const PACKAGE_BINDING_FILE = /[\\/]@confluentinc[\\/]kafka-javascript[\\/]librdkafka\.js$/

// A native addon is loaded once per process whatever we do, so the result is kept here too.
let loaded: KafkaAddon | undefined

/**
 * From source (`bun src/main.ts`, `bun test`), swaps the package's librdkafka.js for the shim's
 * addon at load time. In the compiled binary scripts/build-plugin.ts has already bundled that
 * swap, and this hook never fires (nothing is loaded from disk).
 */
function redirectPackageBinding(): void {
  plugin({
    name: 'sinker-kafka-addon',
    setup(build) {
      build.onLoad({ filter: PACKAGE_BINDING_FILE }, () => ({
        loader: 'object',
        exports: require('./addon-shim.cjs')(),
      }))
    },
  })
}

/** Loads the addon once; throws FatalError when it is missing or does not load. */
export function loadKafka(): KafkaAddon {
  if (loaded) return loaded
  try {
    redirectPackageBinding()
    const rdkafka: RdKafkaModule = require('@confluentinc/kafka-javascript/lib/rdkafka.js')
    loaded = { KafkaConsumer: rdkafka.KafkaConsumer, librdkafkaVersion: rdkafka.librdkafkaVersion }
    return loaded
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new FatalError(`cannot load the Kafka addon (run scripts/build-addon): ${why}`, {
      cause,
    })
  }
}
