import type { FastifyInstance, InjectOptions } from 'fastify'
import { NetworkError } from './errors.js'

/**
 * How a client reaches a mockcloud: one request in, status and parsed body
 * out. The client above it does all the mapping, so every implementation
 * (HTTP, in process) shares it.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface TransportResponse {
  status: number
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown
}

export interface Transport {
  /**
   * Sends one request. `path` starts with `/` and includes any query string.
   * Resolves with every answer the server gives, errors included; rejects
   * (with a NetworkError) only when no answer came back. `headers` go with
   * this request only, over the transport's own (a pool's key).
   */
  request(method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<TransportResponse>
  /** Releases what the transport holds (an app it owns), if anything. */
  close?(): Promise<void>
}

/** Headers every transport sends: the tenant and, when set, the API key. */
export interface TransportIdentity {
  /** Sent as `X-Project-Id`; unset means the server's `default` project. */
  tenantId?: string
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string
}

function identityHeaders(id: TransportIdentity): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (id.tenantId !== undefined) headers['x-project-id'] = id.tenantId
  if (id.apiKey !== undefined) headers['authorization'] = `Bearer ${id.apiKey}`
  return headers
}

function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

export interface FetchTransportOptions extends TransportIdentity {
  /** The server's root (`http://127.0.0.1:4600`); a trailing `/api/v1` is accepted and dropped. */
  baseUrl: string
  /** Default the global fetch. */
  fetch?: typeof globalThis.fetch
}

/**
 * A Transport over HTTP with fetch.
 *
 * @example
 * const t = new FetchTransport({ baseUrl: 'http://127.0.0.1:4600', tenantId: 'team-a' })
 * await t.request('GET', '/api/v1/vms')   // { status: 200, body: { items: [...], next_cursor: null } }
 */
export class FetchTransport implements Transport {
  private readonly base: string
  private readonly headers: Record<string, string>
  private readonly fetch: typeof globalThis.fetch

  constructor(opts: FetchTransportOptions) {
    // NOTE: the client's paths start with /api/v1; people often paste the API's URL rather than the server's.
    this.base = opts.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '')
    this.headers = identityHeaders(opts)
    this.fetch = opts.fetch ?? globalThis.fetch
  }

  async request(method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<TransportResponse> {
    const url = this.base + path
    const init: RequestInit = { method, headers: { ...this.headers, ...headers } }
    if (body !== undefined) {
      init.headers = { ...this.headers, ...headers, 'content-type': 'application/json' }
      init.body = JSON.stringify(body)
    }
    let res: Response
    let text: string
    try {
      res = await this.fetch(url, init)
      text = await res.text()
    } catch (err) {
      throw new NetworkError(`${method} ${url} failed: ${err instanceof Error ? err.message : String(err)}`, err)
    }
    return { status: res.status, body: parseBody(text) }
  }
}

/** What InjectTransport needs of a Fastify app. */
export type InjectTarget = Pick<FastifyInstance, 'inject'>

/**
 * A Transport over a Fastify app's `inject`: the full HTTP stack (routing,
 * validation, serialisation, error bodies) with no socket.
 *
 * @example
 * const app = await buildApp({ clock: new ManualClock() })
 * const t = new InjectTransport(app, { tenantId: 'team-a' })
 */
export class InjectTransport implements Transport {
  private readonly headers: Record<string, string>

  constructor(
    private readonly app: InjectTarget,
    identity: TransportIdentity = {},
  ) {
    this.headers = identityHeaders(identity)
  }

  async request(method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<TransportResponse> {
    const req: InjectOptions = { method, url: path, headers: { ...this.headers, ...headers } }
    if (body !== undefined) {
      req.headers = { ...this.headers, ...headers, 'content-type': 'application/json' }
      req.payload = JSON.stringify(body)
    }
    try {
      const res = await this.app.inject(req)
      return { status: res.statusCode, body: parseBody(res.body) }
    } catch (err) {
      throw new NetworkError(`${method} ${path} failed in process: ${err instanceof Error ? err.message : String(err)}`, err)
    }
  }
}
