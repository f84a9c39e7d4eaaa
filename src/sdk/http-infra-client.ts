import { NativeInfraClient } from './native-infra-client.js'
import { FetchTransport } from './transport.js'

export interface HttpInfraClientOptions {
  /** The mockcloud server's root URL (`http://127.0.0.1:4600`); a trailing `/api/v1` is accepted. */
  baseUrl: string
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  /** The tenant (project) every call acts in, sent as `X-Project-Id`. Default the server's `default`. */
  tenantId?: string
  /** Default the global fetch; pass one to add a proxy agent, logging, retries… */
  fetch?: typeof globalThis.fetch
  /** Default poll interval of the waitFor… methods, wall-clock ms. Default 250. */
  pollIntervalMs?: number
  /** Default timeout of the waitFor… methods, wall-clock ms. Default 60 000. */
  timeoutMs?: number
}

/**
 * `InfraClient` for any running mockcloud, over its native REST API.
 * Nothing to release: `close()` only makes later calls reject.
 *
 * @example
 * const client = new HttpInfraClient({ baseUrl: 'http://127.0.0.1:4600', tenantId: 'team-a' })
 * const net = await client.createNetwork({ name: 'staging' })
 */
export class HttpInfraClient extends NativeInfraClient {
  constructor(opts: HttpInfraClientOptions) {
    super(new FetchTransport(opts), { pollIntervalMs: opts.pollIntervalMs ?? 250, timeoutMs: opts.timeoutMs })
  }
}
