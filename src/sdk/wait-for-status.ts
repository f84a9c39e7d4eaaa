import { NotFoundError, ResourceErrorStateError, WaitTimeoutError } from './errors.js'
import type { Pod } from './pool-types.js'
import type { Container, Instance, Volume } from './types.js'

/** What a wait can poll, with the field that holds its status. */
type Polled = Instance | Volume | Container | Pod

export interface StatusPoll<R extends Polled> {
  kind: 'instance' | 'volume' | 'container' | 'pod'
  id: string
  /** The status to wait for, or `deleted` (the get answers 404). */
  target: string
  get(id: string): Promise<R>
}

// NOTE: a pod keeps seed 004's name for its status.
const statusOf = (r: Polled): string => ('usage_status' in r ? r.usage_status : r.status)

export interface PollTiming {
  timeoutMs: number
  pollIntervalMs: number
  signal?: AbortSignal | undefined
}

/**
 * Polls `get` until the resource reports `target`, on wall-clock timers:
 * a wait is the caller's time, not the emulator's (a manual clock moves
 * only when the test advances it, and the wait must still end).
 *
 * - resolves with the resource once its status is `target`;
 * - resolves with null once the resource is gone, when `target` is `deleted`;
 * - rejects with ResourceErrorStateError when it reports `error` (unless `target` is `error`);
 * - rejects with the get's error (a NotFoundError when it disappears while
 *   waiting for anything but `deleted`, a NetworkError…) at once, without retrying;
 * - rejects with WaitTimeoutError after `timeoutMs`, even if a get hangs;
 * - rejects with `signal.reason` when the signal aborts (at once if it already has).
 *
 * @example
 * await waitForStatus({ kind: 'instance', id, target: 'active', get: (id) => client.getInstance(id) }, { timeoutMs: 60_000, pollIntervalMs: 50 })
 */
export function waitForStatus<R extends Polled>(poll: StatusPoll<R>, timing: PollTiming): Promise<R | null> {
  const { signal } = timing
  if (signal?.aborted) return Promise.reject(signal.reason as unknown)
  return new Promise<R | null>((resolve, reject) => {
    let done = false
    let lastStatus: string | undefined
    let nextPoll: ReturnType<typeof setTimeout> | undefined
    let deadline: ReturnType<typeof setTimeout> | undefined

    const finish = (settle: () => void): void => {
      if (done) return
      done = true
      clearTimeout(deadline)
      clearTimeout(nextPoll)
      signal?.removeEventListener('abort', onAbort)
      settle()
    }
    const onAbort = (): void => finish(() => reject(signal?.reason))
    signal?.addEventListener('abort', onAbort, { once: true })
    deadline = setTimeout(() => {
      const was = lastStatus === undefined ? 'was never read' : `is still ${lastStatus}`
      finish(() => reject(new WaitTimeoutError(`${poll.kind} ${poll.id} ${was} after ${timing.timeoutMs} ms (waiting for ${poll.target})`, lastStatus)))
    }, timing.timeoutMs)

    const tick = async (): Promise<void> => {
      let r: R
      try {
        r = await poll.get(poll.id)
      } catch (err) {
        if (err instanceof NotFoundError && poll.target === 'deleted') finish(() => resolve(null))
        else finish(() => reject(err))
        return
      }
      if (done) return
      lastStatus = statusOf(r)
      if (lastStatus === poll.target) return finish(() => resolve(r))
      if (lastStatus === 'error') {
        const why = r.error ? `: ${r.error}` : ''
        return finish(() => reject(new ResourceErrorStateError(`${poll.kind} ${poll.id} entered error while waiting for ${poll.target}${why}`, poll.kind, r)))
      }
      nextPoll = setTimeout(() => void tick(), timing.pollIntervalMs)
    }
    void tick()
  })
}
