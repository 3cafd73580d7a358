import { describe, expect, test } from 'bun:test'
import { DEFAULT_CONFIG_PATH, parseArgs, USAGE } from '../../../src/cli/args'
import { ConfigError } from '../../../src/errors'

function errorOf(argv: string[]): string {
  try {
    parseArgs(argv)
  } catch (error) {
    if (error instanceof ConfigError) return error.message
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('parseArgs', () => {
  test('runs with the default config when given nothing', () => {
    expect(parseArgs([])).toEqual({ command: 'run', configPath: './configs/sinker.yaml' })
    expect(DEFAULT_CONFIG_PATH).toBe('./configs/sinker.yaml')
  })

  test('treats -c FILE without a command as run -c FILE', () => {
    expect(parseArgs(['-c', 'a.yaml'])).toEqual({ command: 'run', configPath: 'a.yaml' })
    expect(parseArgs(['--config', 'a.yaml'])).toEqual({ command: 'run', configPath: 'a.yaml' })
    expect(parseArgs(['--config=a.yaml'])).toEqual({ command: 'run', configPath: 'a.yaml' })
  })

  test('reads run, check and version with the config flag before or after them', () => {
    expect(parseArgs(['run', '-c', 'x.yaml'])).toEqual({ command: 'run', configPath: 'x.yaml' })
    expect(parseArgs(['-c', 'x.yaml', 'check'])).toEqual({ command: 'check', configPath: 'x.yaml' })
    expect(parseArgs(['version'])).toEqual({ command: 'version', configPath: DEFAULT_CONFIG_PATH })
  })

  test('reads ledger list, show ID and deprecate ID', () => {
    expect(parseArgs(['ledger', 'list', '-c', 'l.yaml'])).toEqual({
      command: 'ledger',
      configPath: 'l.yaml',
      ledgerAction: 'list',
    })
    expect(parseArgs(['ledger', 'show', '42'])).toEqual({
      command: 'ledger',
      configPath: DEFAULT_CONFIG_PATH,
      ledgerAction: 'show',
      ledgerId: '42',
    })
    expect(parseArgs(['-c', 'l.yaml', 'ledger', 'deprecate', 'batch-7'])).toMatchObject({
      ledgerAction: 'deprecate',
      ledgerId: 'batch-7',
      configPath: 'l.yaml',
    })
  })

  test('answers help for -h, --help and the help command, wherever they appear', () => {
    for (const argv of [
      ['-h'],
      ['--help'],
      ['help'],
      ['run', '--help'],
      ['ledger', 'show', '-h'],
    ]) {
      expect(parseArgs(argv).command).toBe('help')
    }
  })

  test('answers version for --version and -V', () => {
    expect(parseArgs(['--version']).command).toBe('version')
    expect(parseArgs(['-V']).command).toBe('version')
  })

  test('throws a ConfigError naming an unknown flag', () => {
    expect(() => parseArgs(['--verbose'])).toThrow(ConfigError)
    expect(errorOf(['--verbose'])).toBe('unknown option --verbose (see sinker --help)')
    expect(errorOf(['run', '-x'])).toBe('unknown option -x (see sinker --help)')
  })

  test('throws a ConfigError when -c has no file', () => {
    expect(errorOf(['-c'])).toContain('--config')
    expect(errorOf(['--config='])).toBe('--config needs a file path (see sinker --help)')
  })

  test('throws a ConfigError for an unknown command or extra arguments', () => {
    expect(errorOf(['start'])).toBe('unknown command "start" (see sinker --help)')
    expect(errorOf(['run', 'extra'])).toBe(
      'unexpected argument "extra" after run (see sinker --help)',
    )
    expect(errorOf(['check', 'a', 'b'])).toContain('"a"')
  })

  test('throws a ConfigError for a ledger action that is missing, unknown or lacks its ID', () => {
    expect(errorOf(['ledger'])).toContain('ledger needs an action')
    expect(errorOf(['ledger', 'purge'])).toContain('unknown ledger action "purge"')
    expect(errorOf(['ledger', 'show'])).toContain('ledger show needs a task ID')
    expect(errorOf(['ledger', 'deprecate'])).toContain('ledger deprecate needs a task ID')
    expect(errorOf(['ledger', 'list', '3'])).toContain('unexpected argument "3" after ledger list')
    expect(errorOf(['ledger', 'show', '1', '2'])).toContain('unexpected argument "2"')
  })

  test('takes an ID that starts with a dash after --', () => {
    expect(parseArgs(['ledger', 'show', '--', '-5'])).toMatchObject({ ledgerId: '-5' })
  })
})

describe('USAGE', () => {
  test('lists every command and option of SPEC §2', () => {
    for (const word of [
      'run',
      'check',
      'ledger list',
      'show ID',
      'deprecate ID',
      'version',
      '-c, --config',
      '-h, --help',
    ]) {
      expect(USAGE).toContain(word)
    }
  })
})
