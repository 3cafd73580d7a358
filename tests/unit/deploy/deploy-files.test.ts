/**
 * @module tests/unit/deploy/deploy-files
 * Checks the operator files in deploy/ for the mistakes that bite in production: metric names
 * that sinker never exports, stop timeouts shorter than the graceful stop, a bad config that
 * restart-loops. Reads files only; never starts a service or depends on ../shared.
 */
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { loadConfig } from '../../../src/config/load'
import { ConfigError } from '../../../src/errors'
import { createMetrics } from '../../../src/metrics/metrics'

const ROOT = join(import.meta.dir, '..', '..', '..')
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

const words = (text: string) => text.trim().split(/\s+/)

// SPEC §8, kept equal to it by hand: CI runs without ../shared beside the repo.
const SPEC_METRICS = words(`
  sinker_messages_consumed_total sinker_bytes_consumed_total sinker_consumer_lag
  sinker_rebalances_total sinker_offsets_committed_total sinker_rows_written_total
  sinker_batches_written_total sinker_flush_duration_seconds sinker_batch_rows
  sinker_sink_requests_total sinker_sink_retries_total sinker_rows_dropped_total
  sinker_messages_dead_lettered_total sinker_inflight_bytes sinker_ddl_tasks_total
  sinker_schema_changes_total`)
const SPEC_HISTOGRAMS = new Set(['sinker_flush_duration_seconds', 'sinker_batch_rows'])
const specKind = (name: string) => (SPEC_HISTOGRAMS.has(name) ? 'histogram' : 'other')

/** Series names a metric family exposes: a histogram is only its _bucket, _sum and _count. */
function seriesOf(name: string, kind: string): string[] {
  return kind === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => name + s) : [name]
}

// The process metrics the real registry exports (prom-client defaults, prefixed sinker_).
const processFamilies = (await createMetrics().registry.getMetricsAsJSON()).filter((m) =>
  /^sinker_(process|nodejs)_/.test(m.name),
)

const ALLOWED_SERIES = new Set([
  ...SPEC_METRICS.flatMap((name) => seriesOf(name, specKind(name))),
  ...processFamilies.flatMap((m) => seriesOf(m.name, String(m.type))),
  'up', // Prometheus's own per-target series: the only way to see an instance that is down
])

const PROMQL_KEYWORDS = new Set(words('and or unless bool offset inf nan'))

/** The metric names a PromQL expression selects (functions, keywords, labels stripped). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  const names: string[] = []
  for (const m of stripped.matchAll(/(?<![\w.:$])[a-zA-Z_:][\w:]*/g)) {
    const rest = stripped.slice((m.index ?? 0) + m[0].length).trimStart()
    const word = m[0].toLowerCase()
    if (rest.startsWith('(') || PROMQL_KEYWORDS.has(word)) continue
    names.push(m[0])
  }
  return names
}

/** Label names of every `by (...)` clause, `le` excepted. */
function byLabels(expr: string): Set<string> {
  const labels = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(','))
  return new Set(labels.map((l) => l.trim()).filter((l) => l !== '' && l !== 'le'))
}

/** One section of an INI-style file (systemd, supervisord); a key set twice is an error. */
function iniSection(text: string, name: string, comment: RegExp): Map<string, string> {
  const section = new Map<string, string>()
  let inside = false
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || comment.test(line)) continue
    if (line.startsWith('[')) inside = line === `[${name}]`
    else if (inside) {
      const [, key = '', value = ''] = /^([^=]+?)\s*=\s*(.*)$/.exec(line) ?? []
      if (key === '' || section.has(key)) throw new Error(`bad or repeated key: ${line}`)
      section.set(key, value)
    }
  }
  return section
}

/** A systemd time span of one unit (`45`, `45s`, `2min`), in seconds. */
function systemdSeconds(span: string): number {
  const m = /^(\d+)(s|min)?$/.exec(span)
  if (!m) throw new Error(`time span not understood by this test: ${span}`)
  return Number(m[1]) * (m[2] === 'min' ? 60 : 1)
}

// The graceful stop to outwait: SPEC's default 30 s, or more if the shipped example sets more.
const example = parseYaml(read('configs/sinker.yaml')) as { delivery?: Record<string, number> }
const SHUTDOWN_S = Math.max(30, (example.delivery?.shutdown_timeout_ms ?? 0) / 1000)

type AlertRule = Record<'alert' | 'expr' | 'for', string> & {
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

type AlertGroup = { rules: AlertRule[] }

interface Panel {
  id: number
  type: string
  datasource?: { uid?: string }
  gridPos: { x: number; y: number; w: number; h: number }
  targets?: { expr: string }[]
}

type Named = { name: string; pluginId?: string; type?: string }
type Dashboard = { schemaVersion: number; __inputs: Named[]; templating: { list: Named[] } }

describe('the PromQL name check itself', () => {
  test('finds only metric names, skipping functions, labels, ranges and keywords', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, table) (rate(a_bucket{job="x"}[5m] offset 10m)))' +
      ' > 1e3 unless on (table) b_total or absent(c{d="sum(e)"}) and 2 * 1024'
    expect(metricNames(expr)).toEqual(['a_bucket', 'b_total', 'c'])
  })
})

describe('Prometheus alert rules', () => {
  const doc = parseYaml(read('deploy/prometheus/sinker-alerts.yml')) as { groups: AlertGroup[] }
  const rules = doc.groups.flatMap((g) => g.rules)

  test('use only SPEC §8 metrics, sinker process metrics and up', () => {
    const unknown = rules.flatMap((r) => metricNames(r.expr)).filter((n) => !ALLOWED_SERIES.has(n))
    expect(unknown).toEqual([])
  })

  test('cover the failures an operator must hear about', () => {
    const used = new Set(rules.flatMap((r) => metricNames(r.expr)))
    const needed = words(`up sinker_consumer_lag sinker_rows_written_total
      sinker_sink_retries_total sinker_messages_dead_lettered_total sinker_inflight_bytes
      sinker_flush_duration_seconds_bucket sinker_rebalances_total
      sinker_process_resident_memory_bytes`)
    expect(needed.filter((name) => !used.has(name))).toEqual([])
  })

  test('each have a unique name, a for, a severity and annotations that say where to look', () => {
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length)
    for (const r of rules) {
      expect(r.for).toMatch(/^\d+[smh]$/)
      expect(['critical', 'warning']).toContain(r.labels?.severity ?? '')
      expect(r.annotations?.summary ?? '').not.toBe('')
      expect(r.annotations?.description ?? '').toMatch(
        /\/status|\/ready|\/health|\/debug\/heap|dead-letter|\/targets/,
      )
    }
  })

  test('only template labels that an aggregated expression keeps', () => {
    for (const r of rules.filter((rule) => /\bby\s*\(/.test(rule.expr))) {
      const kept = byLabels(r.expr)
      const text = Object.values(r.annotations ?? {}).join(' ')
      for (const m of text.matchAll(/\$labels\.(\w+)/g)) expect(kept).toContain(m[1] ?? '')
    }
  })
})

describe('Grafana dashboard', () => {
  const dash = JSON.parse(read('deploy/grafana/sinker-dashboard.json')) as Dashboard & {
    panels: Panel[]
  }
  const panels = dash.panels.filter((p) => p.type !== 'row')
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))

  test('imports with a DS_PROMETHEUS input and an instance variable', () => {
    expect(dash.schemaVersion).toBeGreaterThanOrEqual(36)
    expect(dash.__inputs).toContainEqual(
      expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' }),
    )
    expect(dash.templating.list).toContainEqual(
      expect.objectContaining({ name: 'instance', type: 'query' }),
    )
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's import placeholder
    for (const p of panels) expect(p.datasource?.uid).toBe('${DS_PROMETHEUS}')
  })

  test('queries use only SPEC §8 metrics and sinker process metrics, not the scrape job', () => {
    expect(exprs.length).toBeGreaterThan(10)
    // `up` would tie the dashboard to one job name; the alerts own that.
    const unknown = exprs.flatMap(metricNames).filter((n) => !ALLOWED_SERIES.has(n) || n === 'up')
    expect(unknown).toEqual([])
  })

  test('shows every SPEC §8 metric', () => {
    const used = new Set(exprs.flatMap(metricNames))
    const missing = SPEC_METRICS.filter((n) => !seriesOf(n, specKind(n)).some((s) => used.has(s)))
    expect(missing).toEqual([])
  })

  test('filters every selector by the instance variable', () => {
    const selectors = exprs.flatMap((e) => e.match(/\bsinker_\w+(\{[^}]*\})?/g) ?? [])
    expect(selectors.filter((sel) => !sel.includes('instance=~"$instance"'))).toEqual([])
  })

  test('has unique panel ids and no overlapping panels', () => {
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length)
    const overlaps = (a: Panel['gridPos'], b: Panel['gridPos']) =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    dash.panels.forEach((a, i) => {
      for (const b of dash.panels.slice(i + 1)) expect(overlaps(a.gridPos, b.gridPos)).toBe(false)
    })
  })
})

describe('systemd unit', () => {
  const service = iniSection(read('deploy/systemd/sinker.service'), 'Service', /^[#;]/)

  test('runs the binary with the config and restarts on failure but never on a bad config', () => {
    expect(service.get('Type')).toBe('simple')
    expect(service.get('ExecStart')).toBe('/usr/local/bin/sinker run -c /etc/sinker/sinker.yaml')
    expect(service.get('Restart')).toBe('on-failure')
    expect((service.get('RestartPreventExitStatus') ?? '').split(/\s+/)).toContain('2')
    expect(systemdSeconds(service.get('RestartSec') ?? '0')).toBeGreaterThan(0)
  })

  test('waits longer than the graceful stop before SIGKILL', () => {
    expect(service.get('KillSignal')).toBe('SIGTERM')
    expect(systemdSeconds(service.get('TimeoutStopSec') ?? '0')).toBeGreaterThan(SHUTDOWN_S)
  })

  test('keeps state in /var/lib/sinker and secrets in an optional env file', () => {
    expect(service.get('EnvironmentFile')).toBe('-/etc/sinker/sinker.env')
    expect(service.get('StateDirectory')).toBe('sinker')
    expect(service.get('WorkingDirectory')).toBe('/var/lib/sinker')
    expect(service.get('ReadWritePaths')).toBe('/var/lib/sinker')
  })

  test('is hardened without breaking the JIT or the native addons unpacked to /tmp', () => {
    const hardening = { NoNewPrivileges: 'yes', ProtectSystem: 'strict', PrivateTmp: 'yes' }
    expect(Object.fromEntries(service)).toMatchObject({ ...hardening, ProtectHome: 'yes' })
    expect(Number(service.get('LimitNOFILE'))).toBeGreaterThanOrEqual(65536)
    expect(service.get('MemoryDenyWriteExecute') ?? 'no').toBe('no')
    expect(service.get('NoExecPaths') ?? '').not.toContain('/tmp')
  })
})

describe('supervisord program', () => {
  const program = iniSection(read('deploy/supervisord/sinker.conf'), 'program:sinker', /^;/)

  test('runs the binary as sinker and treats only exit 0 as a clean stop', () => {
    expect(program.get('command')).toBe('/usr/local/bin/sinker run -c /etc/sinker/sinker.yaml')
    expect(program.get('user')).toBe('sinker')
    expect(program.get('exitcodes')).toBe('0')
    expect(program.get('autorestart')).toBe('unexpected')
    // A bad config exits within startsecs, so startretries caps it and it ends FATAL.
    expect(Number(program.get('startsecs'))).toBeGreaterThan(0)
    expect(Number(program.get('startretries'))).toBeGreaterThan(0)
  })

  test('sends SIGTERM and waits longer than the graceful stop', () => {
    expect(program.get('stopsignal')).toBe('TERM')
    expect(Number(program.get('stopwaitsecs'))).toBeGreaterThan(SHUTDOWN_S)
  })

  test('rotates its log files', () => {
    for (const stream of ['stdout', 'stderr']) {
      expect(program.get(`${stream}_logfile`)).toStartWith('/var/log/sinker/')
      expect(program.get(`${stream}_logfile_maxbytes`)).toMatch(/^\d+[KMG]B$/)
      expect(Number(program.get(`${stream}_logfile_backups`))).toBeGreaterThan(0)
    }
  })
})

describe('environment file example', () => {
  const lines = read('deploy/systemd/sinker.env.example').split('\n')
  const active = lines.filter((l) => l.trim() !== '' && !l.startsWith('#'))
  const examples = [...active, ...lines.filter((l) => /^#SINKER__/.test(l)).map((l) => l.slice(1))]

  test('holds only SINKER__ assignments', () => {
    expect(active.length).toBeGreaterThan(0)
    for (const l of active) expect(l).toMatch(/^SINKER__[A-Z0-9_]+=\S/)
  })

  test('names only keys the example config accepts', () => {
    for (const line of examples) {
      const [name = '', value = ''] = line.split(/=(.*)/)
      const blamed = configIssues({ [name]: value }).filter((i) => i.includes(name))
      expect(blamed).toEqual([])
    }
  })
})

/** The problems loading the shipped example config with `env` reports. */
function configIssues(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ path: join(ROOT, 'configs/sinker.yaml'), env })
    return []
  } catch (e) {
    if (e instanceof ConfigError) return e.issues
    throw e
  }
}
