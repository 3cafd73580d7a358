/**
 * @module tests/support/clickhouse-server
 * Runs Debian's clickhouse-server (18.16) as a plain child process with a config generated in the
 * caller's directory: loopback only, the caller's ports. Never touches /etc or /var of the host.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface StartClickHouseOptions {
  readonly httpPort: number
  readonly tcpPort: number
  /** Holds config, data, logs and the pid file; created when missing, reused across runs. */
  readonly dir: string
  readonly log?: (line: string) => void
  /** Password of the `default` user (empty when omitted). */
  readonly password?: string
  /** How long to wait for `/ping` (default 60 s). */
  readonly readyTimeoutMs?: number
  /** Leave the server running when this process exits (scripts/services); stop() still works. */
  readonly detached?: boolean
}

export interface ClickHouseServer {
  readonly url: string
  /** Sends one statement as the default user; throws with the body on a non-200 answer. */
  query(sql: string): Promise<string>
  /** Idempotent. */
  stop(): Promise<void>
}

const SERVER_BINARY = 'clickhouse-server'
const QUERY_TIMEOUT_MS = 120_000

export async function startClickHouse(opts: StartClickHouseOptions): Promise<ClickHouseServer> {
  const log = opts.log ?? (() => {})
  await ensureInstalled(log)
  for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) {
    mkdirSync(join(opts.dir, sub), { recursive: true })
  }
  writeFileSync(join(opts.dir, 'config.xml'), serverConfig(opts))
  writeFileSync(join(opts.dir, 'users.xml'), usersConfig(opts.password ?? ''))
  await stopStale(opts.dir, log)
  // Otherwise another server on the port would answer /ping while ours fails to bind and exits.
  for (const port of [opts.httpPort, opts.tcpPort]) assertPortFree(port)
  const url = `http://127.0.0.1:${opts.httpPort}`
  const proc = Bun.spawn([SERVER_BINARY, `--config-file=${join(opts.dir, 'config.xml')}`], {
    cwd: opts.dir,
    stdin: 'ignore',
    stdout: Bun.file(join(opts.dir, 'log', 'stdout.log')),
    stderr: Bun.file(join(opts.dir, 'log', 'stderr.log')),
  })
  writeFileSync(pidFile(opts.dir), String(proc.pid))
  if (opts.detached) proc.unref()
  log(`clickhouse-server pid ${proc.pid} starting on ${url} (dir ${opts.dir})`)
  const stop = once(() => stopProcess(proc, opts.dir, log))
  try {
    await waitForPing(url, proc, opts.readyTimeoutMs ?? 60_000)
  } catch (err) {
    await stop()
    throw new Error(`${(err as Error).message}\n--- log tail ---\n${logTail(opts.dir)}`)
  }
  log(`clickhouse-server ready on ${url}`)
  return { url, query: (sql) => runQuery(url, opts.password ?? '', sql), stop }
}

async function ensureInstalled(log: (line: string) => void): Promise<void> {
  if (Bun.which(SERVER_BINARY) ?? Bun.which(SERVER_BINARY, { PATH: '/usr/sbin:/usr/bin' })) return
  log('clickhouse-server missing: installing the Debian packages')
  // The lock timeout makes apt wait for another apt/dpkg run instead of failing at once.
  const lock = ['-o', 'DPkg::Lock::Timeout=900']
  await run(['apt-get', ...lock, 'update'])
  await run(['apt-get', ...lock, 'install', '-y', 'clickhouse-server', 'clickhouse-client'])
}

async function run(cmd: string[]): Promise<void> {
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}: ${err || out}`)
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function serverConfig(opts: StartClickHouseOptions): string {
  const dir = (sub: string) => xml(`${join(opts.dir, sub)}/`)
  // No interserver_http_port: 18.16 opens that listener only when the key is present.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${xml(join(opts.dir, 'log', 'server.log'))}</log>
    <errorlog>${xml(join(opts.dir, 'log', 'server.err.log'))}</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${opts.httpPort}</http_port>
  <tcp_port>${opts.tcpPort}</tcp_port>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${dir('data')}</path>
  <tmp_path>${dir('tmp')}</tmp_path>
  <user_files_path>${dir('user_files')}</user_files_path>
  <format_schema_path>${dir('format_schemas')}</format_schema_path>
  <users_config>${xml(join(opts.dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`
}

function usersConfig(password: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type>
    </default>
  </profiles>
  <users>
    <default>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`
}

function pidFile(dir: string): string {
  return join(dir, 'clickhouse-server.pid')
}

/** A server left running from an earlier run on this dir holds its ports: stop it by its pid. */
async function stopStale(dir: string, log: (line: string) => void): Promise<void> {
  const file = pidFile(dir)
  if (!existsSync(file)) return
  const pid = Number(readFileSync(file, 'utf8').trim())
  rmSync(file, { force: true })
  if (!Number.isInteger(pid) || pid <= 0 || !isOurServer(pid, dir)) return
  log(`stopping the clickhouse-server left running from an earlier run (pid ${pid})`)
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 150 && isOurServer(pid, dir); i++) await Bun.sleep(100)
  if (isOurServer(pid, dir)) process.kill(pid, 'SIGKILL')
}

function isOurServer(pid: number, dir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(SERVER_BINARY) && cmdline.includes(join(dir, 'config.xml'))
  } catch {
    return false
  }
}

function assertPortFree(port: number): void {
  try {
    const probe = Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } })
    probe.stop(true)
  } catch (err) {
    throw new Error(`port ${port} on 127.0.0.1 is already in use: ${(err as Error).message}`)
  }
}

async function waitForPing(url: string, proc: Bun.Subprocess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`clickhouse-server exited early (code ${proc.exitCode ?? proc.signalCode})`)
    }
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) })
      if (res.ok && (await res.text()).startsWith('Ok.')) return
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(100)
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${timeoutMs} ms`)
}

async function stopProcess(
  proc: Bun.Subprocess,
  dir: string,
  log: (line: string) => void,
): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGTERM')
    const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(15_000)])
    if (exited !== true) proc.kill('SIGKILL')
    await proc.exited
  }
  rmSync(pidFile(dir), { force: true })
  log(`clickhouse-server pid ${proc.pid} stopped`)
}

function logTail(dir: string, lines = 40): string {
  const names = ['stderr.log', 'server.err.log', 'server.log']
  return names
    .map((name) => join(dir, 'log', name))
    .filter((file) => existsSync(file))
    .map((file) => `${file}:\n${readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')}`)
    .join('\n')
}

async function runQuery(url: string, password: string, sql: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    body: sql,
    headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': password },
    signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
  })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`ClickHouse answered ${res.status} to ${sql}: ${body}`)
  return body
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => {
    done ??= fn()
    return done
  }
}
