import type { FastifyInstance } from 'fastify'
import { nativeAuth } from './auth.js'
import { answerUnrouted } from '../../server/unrouted.js'
import { errorHandler } from '../../server/error-shape.js'
import { nativeWords, wireField } from './mappers.js'
import { registerResource } from './resource-routes.js'
import { NATIVE_RESOURCES } from './resources.js'

/**
 * The native REST API (`/api/v1`): seed 002's environments, security groups,
 * VMs and volumes, and seed 000's floating IPs, DNS records and containers.
 * Register with `{ prefix: '/api/v1' }`; it keeps its own error format.
 * Seed 000's clients send an API key (INFRA_SERVICE_API_KEY): when one is
 * configured (MOCKCLOUD_API_KEY), requests need it, or a token of the
 * engine's identity, and get 401 without.
 */
export interface NativeFaceOptions {
  /** Whether every request must say who sends it: a native key or a token the engine's identity accepts. */
  requireAuth?: boolean | undefined
}

export async function nativeFace(app: FastifyInstance, opts: NativeFaceOptions = {}): Promise<void> {
  // NOTE: no hook at all without a key: every request of the hot path pays for one.
  if (opts.requireAuth) app.addHook('onRequest', nativeAuth(app.mockcloud.engine))
  app.setErrorHandler(errorHandler(wireField, nativeWords))
  // NOTE: its own, though the server's is the same, so that this face's onRequest hooks (its key) run first.
  app.setNotFoundHandler(answerUnrouted)
  for (const res of NATIVE_RESOURCES) registerResource(app, res as never)
}
