/**
 * @module core/deadline
 * Every await on the outside world goes through withDeadline, so nothing in the pipeline can wait
 * forever (SPEC §5 rule 7, DESIGN point 7).
 */
import { TimeoutError } from '../errors'

/**
 * Runs `work` with an AbortSignal that fires after `ms` (or when `parent` aborts) and rejects
 * with TimeoutError at the deadline even if `work` ignores its signal.
 */
export async function withDeadline<T>(
  what: string,
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController()
  const onParentAbort = () => controller.abort(parent?.reason)
  if (parent?.aborted) controller.abort(parent.reason)
  else parent?.addEventListener('abort', onParentAbort, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TimeoutError(what, ms)
      controller.abort(err)
      reject(err)
    }, ms)
  })
  try {
    return await Promise.race([work(controller.signal), deadline])
  } finally {
    clearTimeout(timer)
    parent?.removeEventListener('abort', onParentAbort)
  }
}
