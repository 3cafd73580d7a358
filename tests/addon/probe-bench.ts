/**
 * @module tests/addon/probe-bench
 * The probe's bench mode: packed consume of a whole topic doing what a pass-through pipeline
 * does per value (check that it opens a JSON object), reporting msgs/s, CPU and peak RSS as
 * /proc/self shows them. Measures only; asserts nothing.
 */
import { readFileSync } from 'node:fs'
import type { ProbeConfig } from './probe'
import { connect, consumeLoop, disconnect, newConsumer } from './probe-kafka'

/** /proc reports CPU in USER_HZ, which Linux fixes at 100 for user space. */
const USER_HZ = 100
const OPEN_BRACE = 0x7b

function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ // utime + stime (fields 14, 15)
}

function peakRssMb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m)
  return line ? Math.round(Number(line[1]) / 1024) : -1
}

export async function runBench(cfg: ProbeConfig) {
  const c = newConsumer(cfg.brokers, cfg.group, () => {}, cfg.rdkafka)
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  let messages = 0
  let notObjects = 0
  let firstAt = 0
  await consumeLoop(c, {
    until: () => messages >= cfg.expect,
    deadlineMs: 600_000,
    onBatch: (b) => {
      firstAt ||= performance.now()
      for (let i = 0; i < b.count; i++) {
        const start = i === 0 ? 0 : b.valueEnd[i - 1]! + 1
        if (b.values[start] !== OPEN_BRACE) notObjects++
      }
      messages += b.count
    },
  })
  const seconds = (performance.now() - firstAt) / 1000
  const cpu = cpuSeconds()
  const rss = peakRssMb()
  await disconnect(c)
  return {
    messages,
    notObjects,
    seconds: Number(seconds.toFixed(2)),
    msgsPerSec: Math.round(messages / seconds),
    cpuSeconds: cpu,
    cpuSecondsPer1M: Number((cpu / (messages / 1e6)).toFixed(3)),
    peakRssMb: rss,
  }
}
