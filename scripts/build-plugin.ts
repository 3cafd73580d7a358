/**
 * @module scripts/build-plugin
 * Compiles an entry into one executable with `Bun.build({ compile })`, with the plugin that
 * points the Kafka package's `bindings` lookup at src/source/addon-shim.cjs so the addon is
 * embedded by literal path, and pins libsql's native module the same way (libsqlNativePlugin). Usage: bun scripts/build-plugin.ts ENTRY OUT
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

const LIBSQL_INDEX = /[\\/]node_modules[\\/]libsql[\\/]index\.js$/
const LIBSQL_DYNAMIC_REQUIRE = 'return require(`@libsql/${target}`);'

/**
 * libsql picks its prebuilt N-API module with a computed require, which `--compile` cannot embed:
 * pin it to this build machine's package (the binary targets linux-x64 glibc, as the build does).
 */
export const libsqlNativePlugin: BunPlugin = {
  name: 'sinker-libsql-native',
  setup(build) {
    build.onLoad({ filter: LIBSQL_INDEX }, async (args) => {
      const text = await Bun.file(args.path).text()
      if (!text.includes(LIBSQL_DYNAMIC_REQUIRE)) {
        throw new Error(`${args.path}: the libsql loader changed; update scripts/build-plugin.ts`)
      }
      const target = `${process.platform}-${process.arch}-gnu`
      return {
        loader: 'js',
        contents: text.replace(LIBSQL_DYNAMIC_REQUIRE, `return require('@libsql/${target}');`),
      }
    })
  },
}

/** Builds `entry` into the single executable `outfile` (runs from any directory). */
export async function compileBinary(entry: string, outfile: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [entry],
    target: 'bun',
    compile: { outfile },
    plugins: [kafkaAddonPlugin, libsqlNativePlugin],
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
