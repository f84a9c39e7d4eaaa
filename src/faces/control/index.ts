import type { FastifyInstance } from 'fastify'
import { answerUnrouted } from '../../server/unrouted.js'
import { errorHandler } from '../../server/error-shape.js'
import { controlKeyGuard } from './auth.js'
import { registerCallRoutes } from './calls-routes.js'
import { registerClockRoutes } from './clock-routes.js'
import { registerConfigRoutes } from './config-routes.js'
import { registerEventRoutes } from './events-routes.js'
import { registerFaultRoutes } from './faults-routes.js'
import { registerQuotaRoutes } from './quotas-routes.js'
import { registerStateRoutes } from './state-routes.js'

export interface ControlFaceOptions {
  /** When set, every control request must carry it. */
  controlKey?: string | undefined
}

/**
 * The control face (`/_mockcloud/`): what tests and the dashboard drive —
 * reset, fault rules, the clock, timings, snapshots, the call log and the
 * event stream. Register with `{ prefix: '/_mockcloud' }`, in a scope that
 * has @fastify/websocket (see streamingFaces in app.ts). Errors use the native
 * API's shape; its calls are not written to the call log.
 */
export async function controlFace(app: FastifyInstance, opts: ControlFaceOptions): Promise<void> {
  app.addHook('onRequest', controlKeyGuard(opts.controlKey))
  app.setErrorHandler(errorHandler())
  // NOTE: its own, though the server's is the same, so that this face's onRequest hooks (its key) run first.
  app.setNotFoundHandler(answerUnrouted)
  registerStateRoutes(app)
  registerFaultRoutes(app)
  registerClockRoutes(app)
  registerConfigRoutes(app)
  registerCallRoutes(app)
  registerEventRoutes(app)
  registerQuotaRoutes(app)
}
