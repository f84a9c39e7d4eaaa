import { FetchTransport } from './transport.js'
import { WirePoolManagerClient } from './wire-pool-manager-client.js'

export interface HttpPoolManagerClientOptions {
  /**
   * The pool manager's API root: `http://127.0.0.1:4600/pool-manager` on a
   * mockcloud, the real service's own root otherwise (the routes are the same).
   */
  baseUrl: string
  /** Sent as `Authorization: Bearer` for pools whose key was not given to `createPool` / `getOrCreatePool`. */
  apiKey?: string
  /** Default the global fetch. */
  fetch?: typeof globalThis.fetch
  /** Default poll interval of waitForPodStatus, wall-clock ms. Default 250. */
  pollIntervalMs?: number
  /** Default timeout of waitForPodStatus, wall-clock ms. Default 60 000. */
  timeoutMs?: number
}

/**
 * `PoolManagerClient` over HTTP: a mockcloud's `/pool-manager/`, or the real
 * pool manager by changing `baseUrl`.
 *
 * @example
 * const pools = new HttpPoolManagerClient({ baseUrl: 'http://127.0.0.1:4600/pool-manager' })
 * const pod = await pools.claimPod('default-pool', 'workspace-123')
 */
export class HttpPoolManagerClient extends WirePoolManagerClient {
  constructor(opts: HttpPoolManagerClientOptions) {
    const baseUrl = opts.baseUrl.replace(/\/+$/, '')
    super(new FetchTransport({ baseUrl, ...(opts.fetch ? { fetch: opts.fetch } : {}) }), { prefix: '', apiKey: opts.apiKey, pollIntervalMs: opts.pollIntervalMs ?? 250, timeoutMs: opts.timeoutMs })
  }
}
