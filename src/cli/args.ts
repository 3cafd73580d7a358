/**
 * @module cli/args
 * Parses the command line of SPEC §2 into a command and its operands with strict `node:util`
 * parseArgs. Throws ConfigError (exit 2) on anything it does not know; never exits itself.
 */

import { parseArgs as parseNodeArgs } from 'node:util'
import { ConfigError } from '../errors'

export const DEFAULT_CONFIG_PATH = './configs/sinker.yaml'

export const USAGE = `Usage:
  sinker run    [-c FILE]        run the pipeline (default command)
  sinker check  [-c FILE]        validate the config, then try Kafka, the sink and the ledger
  sinker ledger list [-c FILE]   list the batch tasks in the ledger
  sinker ledger show ID [-c FILE]
  sinker ledger deprecate ID [-c FILE]
  sinker version                 print sinker, Bun and librdkafka versions
  sinker --help | -h             this text

Options:
  -c, --config FILE   configuration file (default ${DEFAULT_CONFIG_PATH})
  -h, --help          show this text
  -V, --version       same as the version command

Environment: SINKER__<PATH>=value overrides any config key, e.g. SINKER__KAFKA__GROUP_ID=g2.
Exit codes: 0 clean stop, 1 runtime failure, 2 bad arguments or invalid config.
`

export type Command = 'run' | 'check' | 'ledger' | 'version' | 'help'
export type LedgerAction = 'list' | 'show' | 'deprecate'

export interface CliArgs {
  command: Command
  configPath: string
  ledgerAction?: LedgerAction
  ledgerId?: string
}

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const

const COMMANDS: readonly string[] = ['run', 'check', 'ledger', 'version', 'help']
const LEDGER_ACTIONS: readonly string[] = ['list', 'show', 'deprecate']

/** Parses the arguments after the executable's name (`process.argv.slice(2)`). */
export function parseArgs(argv: string[]): CliArgs {
  const { values, positionals } = readArgv(argv)
  if (values.config === '') throw usageError('--config needs a file path')
  const configPath = values.config ?? DEFAULT_CONFIG_PATH
  if (values.help) return { command: 'help', configPath }
  if (values.version) return { command: 'version', configPath }
  const [word = 'run', ...operands] = positionals
  if (!COMMANDS.includes(word)) throw usageError(`unknown command "${word}"`)
  const command = word as Command
  if (command === 'ledger') return { command, configPath, ...parseLedger(operands) }
  if (operands.length > 0) throw usageError(`unexpected argument "${operands[0]}" after ${word}`)
  return { command, configPath }
}

function readArgv(argv: string[]) {
  try {
    return parseNodeArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw usageError(describeParseError(error))
  }
}

function parseLedger(operands: string[]): { ledgerAction: LedgerAction; ledgerId?: string } {
  const [action, id, extra] = operands
  if (action === undefined)
    throw usageError('ledger needs an action: list, show ID or deprecate ID')
  if (!LEDGER_ACTIONS.includes(action)) throw usageError(`unknown ledger action "${action}"`)
  const ledgerAction = action as LedgerAction
  if (ledgerAction === 'list') {
    if (id !== undefined) throw usageError(`unexpected argument "${id}" after ledger list`)
    return { ledgerAction }
  }
  if (id === undefined || id === '') throw usageError(`ledger ${action} needs a task ID`)
  if (extra !== undefined)
    throw usageError(`unexpected argument "${extra}" after ledger ${action} ${id}`)
  return { ledgerAction, ledgerId: id }
}

/** Node's messages run to several sentences; keep the one fact an operator needs. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  const option = /'([^']+)'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option ?? message}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message.split('.')[0] ?? message
  return message
}

function usageError(message: string): ConfigError {
  return new ConfigError([`${message} (see sinker --help)`])
}
