import type { Engine, TransitionFailure } from '../engine/engine.js'

interface Log {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/**
 * Logs each transition that threw: a warning while it will be retried, an
 * error when it gave up and failed its resource. Returns the unsubscribe.
 */
export function logTransitionFailures(engine: Engine, log: Log): () => void {
  return engine.onTransitionFailure((f: TransitionFailure) => {
    const fields = { err: f.error, resourceId: f.resourceId, kind: f.kind, operation: f.operation, attempt: f.attempt }
    if (f.final) log.error(fields, `${f.kind} ${f.resourceId}: ${f.operation} failed ${f.attempt} times; the resource is put in its failure state`)
    else log.warn(fields, `${f.kind} ${f.resourceId}: ${f.operation} failed (attempt ${f.attempt}); it will be retried`)
  })
}
