/**
 * @module scripts/doris-server
 * Runs the Doris Stream Load test server standalone for the demo: prints its FE and BE URLs,
 * keeps its state in `--data DIR` across restarts, stops cleanly on SIGTERM or SIGINT.
 * It is a protocol stand-in, never Apache Doris itself.
 */
import { parseArgs } from 'node:util'
import { startDorisServer } from '../tests/support/doris-server'

const HELP = `usage: bun scripts/doris-server.ts [options]
  --fe-port N            FE HTTP port (default 8030; 0 = any free port)
  --be-port N            BE HTTP port (default 8040; 0 = any free port)
  --data DIR             keep databases, tables, rows and labels in DIR across restarts
  --user NAME:PASSWORD   a user (repeatable; default root with an empty password)
  --timezone TZ          zone for loads without a timezone header (default Asia/Shanghai)
  --quiet                do not log each request
  -h, --help             this text`

const OPTIONS = {
  'fe-port': { type: 'string', default: '8030' },
  'be-port': { type: 'string', default: '8040' },
  data: { type: 'string' },
  user: { type: 'string', multiple: true },
  timezone: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

function port(text: string, name: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`--${name}: not a port: ${text}`)
  return n
}

function users(list: readonly string[] | undefined): Record<string, string> {
  if (!list || list.length === 0) return { root: '' }
  return Object.fromEntries(
    list.map((u) => {
      const colon = u.indexOf(':')
      if (colon <= 0) throw new Error(`--user: expected NAME:PASSWORD, got ${u}`)
      return [u.slice(0, colon), u.slice(colon + 1)]
    }),
  )
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values']
  let ports: { fePort: number; bePort: number; users: Record<string, string> }
  try {
    args = parseArgs({ args: argv, options: OPTIONS, strict: true }).values
    if (args.help) {
      console.log(HELP)
      return 0
    }
    ports = {
      fePort: port(args['fe-port'], 'fe-port'),
      bePort: port(args['be-port'], 'be-port'),
      users: users(args.user),
    }
  } catch (err) {
    console.error(`${(err as Error).message}\n${HELP}`)
    return 2
  }
  const log = args.quiet
    ? undefined
    : (line: string) => console.log(`${new Date().toISOString()} ${line}`)
  const server = await startDorisServer({
    ...ports,
    ...(args.data ? { dataDir: args.data } : {}),
    ...(args.timezone ? { timezone: args.timezone } : {}),
    ...(log ? { log } : {}),
  })
  console.log(`doris-server fe ${server.feUrl}`)
  console.log(`doris-server be ${server.beUrl}`)
  if (args.data) console.log(`doris-server data ${args.data}`)
  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      console.log(`doris-server stopping on ${signal}`)
      void server.stop().then(() => resolve(0))
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
}

process.exit(await main(process.argv.slice(2)))
