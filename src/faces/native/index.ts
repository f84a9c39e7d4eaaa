import type { FastifyInstance } from 'fastify'
import { keyGuard } from '../../server/key-guard.js'
import { answerUnrouted } from '../../server/unrouted.js'
import { errorHandler } from '../../server/error-shape.js'
import { wireField } from './mappers.js'
import { registerResource } from './resource-routes.js'
import { NATIVE_RESOURCES } from './resources.js'

/**
 * The native REST API (`/api/v1`): seed 002's environments, security groups,
 * VMs and volumes, and seed 000's floating IPs, DNS records and containers.
 * Register with `{ prefix: '/api/v1' }`; it keeps its own error format.
 * Seed 000's clients send an API key (INFRA_SERVICE_API_KEY): when one is
 * configured (MOCKCLOUD_API_KEY), requests without it get 401.
 */
export interface NativeFaceOptions {
  /** When set, every request must carry it (`Authorization: Bearer <key>` or `X-Api-Key`). */
  apiKey?: string | undefined
}

export async function nativeFace(app: FastifyInstance, opts: NativeFaceOptions = {}): Promise<void> {
  // NOTE: no hook at all without a key: every request of the hot path pays for one.
  if (opts.apiKey) app.addHook('onRequest', keyGuard(opts.apiKey, { what: 'the native API', header: 'X-Api-Key' }))
  app.setErrorHandler(errorHandler(wireField))
  // NOTE: its own, though the server's is the same, so that this face's onRequest hooks (its key) run first.
  app.setNotFoundHandler(answerUnrouted)
  for (const res of NATIVE_RESOURCES) registerResource(app, res as never)
}
