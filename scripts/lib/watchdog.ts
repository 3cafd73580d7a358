/**
 * @module scripts/lib/watchdog
 * A detached shell that outlives this process by design: once this process is gone (test run
 * over, crashed or killed), it stops the service it guards and removes its scratch folder. It
 * only ever signals the one pid it was given, and forgets it once that process has ended.
 */
import { spawn } from 'node:child_process'

// $1 our pid, $2 the service pid, $3 a folder to remove (may be empty).
const SCRIPT = `parent=$1; svc=$2; dir=$3
while kill -0 "$parent" 2>/dev/null; do
  if [ -n "$svc" ] && ! kill -0 "$svc" 2>/dev/null; then svc=; fi
  sleep 1
done
if [ -n "$svc" ]; then
  kill -TERM "$svc" 2>/dev/null
  i=0
  while kill -0 "$svc" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done
  kill -KILL "$svc" 2>/dev/null
fi
if [ -n "$dir" ]; then rm -rf -- "$dir"; fi
`

export interface GuardOptions {
  /** The service process to stop when this process ends. */
  readonly pid: number
  /** A scratch folder to delete after the service stopped. */
  readonly removeDir?: string
}

/** Starts the watchdog; returns at once. Its stdio is detached so no pipe waits on it. */
export function guardService(opts: GuardOptions): void {
  const args = ['-c', SCRIPT, 'sinker-watchdog', String(process.pid), String(opts.pid)]
  const child = spawn('sh', [...args, opts.removeDir ?? ''], { detached: true, stdio: 'ignore' })
  child.unref()
}
