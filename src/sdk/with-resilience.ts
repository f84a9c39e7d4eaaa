import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, isBrokenCircuitError, noop, retry, wrap, type IPolicy } from 'cockatiel'
import { MockcloudError, SDK_ERR_NETWORK } from './errors.js'
import { wrapMethods } from './wrap-methods.js'

export const SDK_ERR_CIRCUIT_OPEN = 'SDK_ERR_CIRCUIT_OPEN'

/** The circuit breaker is open: too many calls failed in a row, so this one was not sent. */
export class CircuitOpenError extends MockcloudError {
  constructor(cause: unknown) {
    super('the service failed too many times in a row; calls are paused until the circuit breaker tries again', { status: 0, code: SDK_ERR_CIRCUIT_OPEN, cause })
  }
}

export interface ResilienceOptions {
  /** Retries after the first attempt. Default 3; 0 turns retrying off. */
  maxRetries?: number
  /** First back-off delay, wall-clock ms, doubled (with jitter) up to `maxDelayMs`. Default 100. */
  initialDelayMs?: number
  /** Default 5 000. */
  maxDelayMs?: number
  /**
   * Consecutive failed calls (after their retries) that open the breaker, and
   * how long it stays open before one call may try again. Default
   * `{ threshold: 5, halfOpenAfterMs: 10_000 }`; `false` for no breaker.
   */
  breaker?: { threshold?: number; halfOpenAfterMs?: number } | false
  /** Which failures may go away on a retry. Default `isTransientError`. */
  isTransient?: (err: unknown) => boolean
  /**
   * Methods that are safe to send again after a lost answer (no answer may
   * mean it was applied). Default: reads (`get…`, `list…`, `waitFor…`).
   * Others are retried only when the server answered with a failure.
   */
  isIdempotent?: (method: string) => boolean
}

/** A failure worth retrying: no answer at all, or a server saying it could not do it now (429, 5xx). */
export function isTransientError(err: unknown): boolean {
  if (!(err instanceof MockcloudError)) return false
  return err.code === SDK_ERR_NETWORK || err.status === 429 || err.status >= 500
}

const isRead = (method: string) => /^(get|list|waitFor)/.test(method)

/**
 * Wraps any client (an `InfraClient`, later the pool and cluster clients) so
 * each call retries transient failures with exponential back-off and a
 * circuit breaker stops calling a service that keeps failing (cockatiel).
 * A call the server may have applied (a create whose answer was lost) is
 * not sent twice: non-idempotent methods retry only failures the server
 * answered. The wrapper has the client's own type.
 *
 * @example
 * const client = withResilience(createInfraClient(), { maxRetries: 5 })
 * await client.createInstance({ name: 'web', networkId })   // a 503 is retried; a lost answer is not
 */
export function withResilience<T extends object>(client: T, opts: ResilienceOptions = {}): T {
  const transient = opts.isTransient ?? isTransientError
  const idempotent = opts.isIdempotent ?? isRead
  const maxAttempts = opts.maxRetries ?? 3
  const backoff = new ExponentialBackoff({ initialDelay: opts.initialDelayMs ?? 100, maxDelay: opts.maxDelayMs ?? 5_000 })
  const retryAll = maxAttempts > 0 ? retry(handleWhen(transient), { maxAttempts, backoff }) : noop
  // NOTE: an answered failure means nothing was applied, so even a create may go again.
  const retryAnswered = maxAttempts > 0 ? retry(handleWhen((e) => transient(e) && (e as MockcloudError).status > 0), { maxAttempts, backoff }) : noop
  const breaker: IPolicy =
    opts.breaker === false ? noop : circuitBreaker(handleWhen(transient), { halfOpenAfter: opts.breaker?.halfOpenAfterMs ?? 10_000, breaker: new ConsecutiveBreaker(opts.breaker?.threshold ?? 5) })
  const forReads = wrap(breaker, retryAll)
  const forWrites = wrap(breaker, retryAnswered)

  return wrapMethods(client, async (method, call) => {
    try {
      return await (idempotent(method) ? forReads : forWrites).execute(call)
    } catch (err) {
      if (isBrokenCircuitError(err)) throw new CircuitOpenError(err)
      throw err
    }
  })
}
