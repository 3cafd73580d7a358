/**
 * @module main
 * The entry point: argv to a command, exit codes of SPEC §2, signal handling. The only file that
 * calls process.exit or installs signal handlers.
 */
import { parseArgs, USAGE } from './cli/args'
import { checkCommand } from './cli/check'
import type { CliIo, ExitCode } from './cli/io'
import { ledgerCommand } from './cli/ledger'
import { runCommand } from './cli/run'
import { versionCommand } from './cli/version'
import { ConfigError } from './errors'

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143 } as const

async function main(argv: string[]): Promise<ExitCode> {
  let stopHandler: (() => void) | undefined
  let stopping = false
  // `run` stops gracefully even when the signal comes while it is still starting: the request
  // waits for its handler. Other commands have nothing to flush and exit at once.
  const graceful = (() => {
    try {
      return parseArgs(argv).command === 'run'
    } catch {
      return false
    }
  })()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // The second signal means "now": offsets not yet committed are re-read on the next start.
      if (stopping || !graceful) process.exit(SIGNAL_CODES[sig])
      stopping = true
      stopHandler?.()
    })
  }
  const io: CliIo = {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    onStop: (h) => {
      stopHandler = h
      if (stopping) h()
    },
  }
  try {
    const args = parseArgs(argv)
    switch (args.command) {
      case 'help':
        io.out(USAGE)
        return 0
      case 'version':
        return await versionCommand(io)
      case 'check':
        return await checkCommand(args.configPath, io)
      case 'ledger':
        return await ledgerCommand(
          { action: args.ledgerAction!, id: args.ledgerId, configPath: args.configPath },
          io,
        )
      case 'run':
        return await runCommand(args.configPath, io)
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.issues) io.err(`sinker: ${line}`)
      if (e.issues.some((l) => l.startsWith('unknown command') || l.includes('option')))
        io.err(USAGE)
      return 2
    }
    io.err(`sinker: fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`sinker: fatal: ${String(e)}\n`)
    process.exit(1)
  },
)
