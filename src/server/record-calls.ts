import type { FastifyInstance } from 'fastify'
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
 * not calls of the emulated cloud, and are left out.
 */
export function recordCalls(app: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const config = req.routeOptions.config as CallConfig | undefined
    if (!config?.face || !config.operation) return
    const ms = reply.elapsedTime
    metrics.observeRequest(config.face, config.operation, reply.statusCode, ms / 1000)
    const project = req.headers['x-project-id']
    runtime.calls.record({
      at: new Date(runtime.clock.now()).toISOString(),
      face: config.face,
      operation: config.operation,
      method: req.method,
      path: req.url.split('?')[0] ?? req.url,
      project: (Array.isArray(project) ? project[0] : project) ?? 'default',
      params: (req.params ?? {}) as Record<string, unknown>,
      query: (req.query ?? {}) as Record<string, unknown>,
      body: req.body ?? null,
      status: reply.statusCode,
      duration_ms: Math.round(ms * 1000) / 1000,
    })
  })
}
