/**
 * @module scripts/build-plugin
 * Compiles an entry into one executable with `Bun.build({ compile })`, with the plugin that
 * points the Kafka package's `bindings` lookup at src/source/addon-shim.cjs so the addon is
 * embedded by literal path. Rewrites no other import. Usage: bun scripts/build-plugin.ts ENTRY OUT
 */
import path from 'node:path'
import type { BunPlugin } from 'bun'

const SHIM = path.resolve(import.meta.dir, '../src/source/addon-shim.cjs')
const KAFKA_PACKAGE = /[\\/]@confluentinc[\\/]kafka-javascript[\\/]/

export const kafkaAddonPlugin: BunPlugin = {
  name: 'sinker-kafka-addon',
  setup(build) {
    build.onResolve({ filter: /^bindings$/ }, (args) =>
      KAFKA_PACKAGE.test(args.importer) ? { path: SHIM } : undefined,
    )
  },
}

/** Builds `entry` into the single executable `outfile` (runs from any directory). */
export async function compileBinary(entry: string, outfile: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [entry],
    target: 'bun',
    compile: { outfile },
    plugins: [kafkaAddonPlugin],
  })
  if (!result.success) {
    throw new AggregateError(result.logs, `bun build --compile ${entry} failed`)
  }
}

if (import.meta.main) {
  const [entry, outfile] = process.argv.slice(2)
  if (!entry || !outfile) {
    console.error('usage: bun scripts/build-plugin.ts ENTRY OUTFILE')
    process.exit(2)
  }
  await compileBinary(entry, outfile)
  console.error(`build: ${entry} -> ${outfile}`)
}
