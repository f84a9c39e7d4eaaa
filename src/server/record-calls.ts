import type { FastifyInstance, onResponseHookHandler } from 'fastify'
import type { Metrics } from '../observe/metrics.js'
import type { Runtime } from './runtime.js'

/** What a face route declares in its Fastify `config` so its calls are logged and measured. */
export interface CallConfig {
  face?: string
  /** `<collection>.<operation>`, e.g. `vms.create`. */
  operation?: string
}

/**
 * Every answered request of a face route goes to the call log and the
 * request metrics. Routes without a face (docs, health, the control face) are
 * not calls of the emulated cloud, and are left out. Call it before the
 * faces are registered: it hooks the routes as they are added.
 */
export function recordCalls(app: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  // NOTE: a hook on each face route, with its names bound, rather than one on every request
  // that reads them back through `req.routeOptions` (a getter that builds an object each time).
  app.addHook('onRoute', (route) => {
    const config = route.config as CallConfig | undefined
    const face = config?.face
    const operation = config?.operation
    if (!face || !operation) return
    const stats = metrics.routeStats(face, operation)
    const hook: onResponseHookHandler = async (req, reply) => {
      const ms = reply.elapsedTime
      stats.observe(reply.statusCode, ms / 1000)
      const project = req.headers['x-project-id']
      runtime.calls.record({
        at: new Date(runtime.clock.now()).toISOString(),
        face,
        operation,
        method: req.method,
        path: pathOf(req.url),
        project: (Array.isArray(project) ? project[0] : project) ?? 'default',
        params: (req.params ?? {}) as Record<string, unknown>,
        query: (req.query ?? {}) as Record<string, unknown>,
        // NOTE: the log keeps a long body cut to its first bytes, never the whole (call-log.ts).
        body: req.body ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(ms * 1000) / 1000,
      })
    }
    const own = route.onResponse
    route.onResponse = own === undefined ? [hook] : Array.isArray(own) ? [...own, hook] : [own, hook]
  })
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}
