/**
 * @module scripts/gen-events
 * `bun scripts/gen-events.ts --count N --out FILE [--seed S] [--tenants K] [--junk-every M]`:
 * writes deterministic ndjson events and prints `{count, sumIds, bytes, lines, junk}` as JSON.
 * Never appends: FILE is replaced.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type EventOptions, type EventsSummary, generateEvents } from './lib/events'

const HELP = `usage: bun scripts/gen-events.ts --count N --out FILE [--seed S] [--tenants K] [--junk-every M]
  --count N        valid events, ids 1..N
  --out FILE       ndjson output (replaced)
  --seed S         PRNG seed (default 1): the same seed gives the same bytes
  --tenants K      add "tenant":"t01".."tK" to every event (default 0: no tenant field)
  --junk-every M   after every M-th event add one junk line (invalid JSON, not an object,
                   a type mismatch or bad UTF-8, in turn); default 0: none`

interface Args {
  out: string
  events: EventOptions
}

function integer(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`)
  }
  return value
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      count: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      tenants: { type: 'string' },
      'junk-every': { type: 'string' },
    },
  })
  if (values.count === undefined || values.out === undefined) {
    throw new Error('--count and --out are required')
  }
  const events: EventOptions = {
    count: integer('count', values.count, 0, 0),
    seed: integer('seed', values.seed, 1, 0),
    tenants: integer('tenants', values.tenants, 0, 0),
    junkEvery: integer('junk-every', values['junk-every'], 0, 0),
  }
  return { out: values.out, events }
}

function writeFile(path: string, events: EventOptions): EventsSummary {
  const fd = openSync(path, 'w')
  try {
    return generateEvents(events, (chunk) => {
      let done = 0
      while (done < chunk.length) done += writeSync(fd, chunk, done)
    })
  } finally {
    closeSync(fd)
  }
}

function main(argv: string[]): number {
  let args: Args
  try {
    args = parse(argv)
  } catch (err) {
    console.error(`${(err as Error).message}\n${HELP}`)
    return 2
  }
  const summary = writeFile(args.out, args.events)
  console.log(JSON.stringify(summary))
  return 0
}

process.exit(main(process.argv.slice(2)))
