/**
 * @module tests/addon/probe-leak
 * The probe's leak mode: how many JS objects each addon call leaves alive after a full GC.
 * Bun 1.4 never frees a V8 Global, so any call that makes one per call (every stock NAN
 * worker, e.g. commitCb) leaks; the packed consume and the async commit() must not.
 */
import { heapStats } from 'bun:jsc'
import { consumePacked } from '../../src/source/packed-consume'
import type { ProbeConfig } from './probe'
import { commitCb, connect, consumeLoop, disconnect, newConsumer } from './probe-kafka'

const CALLS = 200

/** Functions + plain objects alive after a synchronous full GC. */
function liveObjects(): number {
  Bun.gc(true)
  const counts = heapStats().objectTypeCounts
  return (counts.Function ?? 0) + (counts.Object ?? 0)
}

async function perCall(calls: number, call: () => Promise<unknown> | unknown): Promise<number> {
  const before = liveObjects()
  for (let i = 0; i < calls; i++) await call()
  return Number(((liveObjects() - before) / calls).toFixed(2))
}

export async function runLeak(cfg: ProbeConfig) {
  const c = newConsumer(cfg.brokers, cfg.group)
  await connect(c, 10_000)
  c.subscribe([cfg.topic])
  let read = 0
  await consumeLoop(c, {
    until: () => read >= cfg.expect,
    deadlineMs: 60_000,
    onBatch: (b) => {
      read += b.count
    },
  })
  const offsets = [{ topic: cfg.topic, partition: 0, offset: 1 }]
  // Warm up each path once, so lazily created state is not counted as a leak.
  await consumePacked(c, { timeoutMs: 1, maxMessages: 100, sep: 10 })
  c.commit(offsets)
  await commitCb(c, offsets)
  const result = {
    consumePacked: await perCall(CALLS, () =>
      consumePacked(c, { timeoutMs: 1, maxMessages: 100, sep: 10 }),
    ),
    commit: await perCall(CALLS, () => c.commit(offsets)),
    commitSync: await perCall(CALLS, () => c.commitSync(offsets)),
    commitCb: await perCall(CALLS, () => commitCb(c, offsets)),
  }
  await disconnect(c)
  return { objectsLeftPerCall: result }
}
