import { ConflictError, errorFromWire, MockcloudError, SDK_ERR_BAD_RESPONSE, SDK_ERR_CLOSED, type WireError } from './errors.js'
import type { PoolManagerClient } from './pool-manager-client.js'
import type { CreatePoolRequest, Pod, PodStatus, Pool, PoolSettings, PoolStatus } from './pool-types.js'
import type { HttpMethod, Transport } from './transport.js'
import type { Deleted, WaitOptions, WaitResult } from './types.js'
import { waitForStatus } from './wait-for-status.js'

export interface WirePoolManagerClientOptions {
  /** Where the pool manager's routes start on the transport (`/pool-manager` on a mockcloud; `` for a service at its root). */
  prefix: string
  /** The key sent (as `Authorization: Bearer`) for pools whose own key the client has not been given. */
  apiKey?: string | undefined
  /** Default poll interval of waitForPodStatus, wall-clock ms. */
  pollIntervalMs: number
  /** Default timeout of waitForPodStatus, wall-clock ms. Default 60 000. */
  timeoutMs?: number | undefined
}

const enc = encodeURIComponent

/** The pool manager's error body: `{ success: false, error: message, code?, field? }` (seed 004, plus mockcloud's code and field). */
function wireError(body: unknown): WireError | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as { error?: unknown; code?: unknown; field?: unknown; message?: unknown }
  if (typeof b.error === 'string') return { message: b.error, code: b.code, field: b.field }
  if (typeof b.message === 'string') return { message: b.message, code: b.code, field: b.field }
  return undefined
}

/**
 * `PoolManagerClient` over the pool manager's REST API (seed 004), whatever
 * carries the requests: HttpPoolManagerClient gives it a FetchTransport,
 * EmbeddedPoolManagerClient an in-process one. All wire and error mapping
 * and waiting lives here, once.
 *
 * Keys: a pool made or fetched through `createPool` / `getOrCreatePool` with
 * an `apiKey` is called with that key from then on, and so are its pods
 * (known by the pods this client has seen); anything else goes with the
 * client's own `apiKey`, if any.
 */
export class WirePoolManagerClient implements PoolManagerClient {
  private closed = false
  private readonly poolKeys = new Map<string, string>()
  private readonly podPools = new Map<string, string>()

  constructor(
    private readonly transport: Transport,
    private readonly opts: WirePoolManagerClientOptions,
  ) {}

  // --- pools -------------------------------------------------------------------

  async createPool(req: CreatePoolRequest): Promise<Pool> {
    const { pool } = await this.call<{ pool: Pool }>('POST', '/pools', req, req.name, req.apiKey)
    if (req.apiKey !== undefined) this.poolKeys.set(pool.name, req.apiKey)
    return pool
  }

  async getOrCreatePool(name: string, apiKey?: string): Promise<Pool> {
    try {
      return await this.createPool({ name, ...(apiKey === undefined ? {} : { apiKey }) })
    } catch (err) {
      // NOTE: create first, so two callers racing for a new pool both end with the one pool.
      if (!(err instanceof ConflictError)) throw err
    }
    // NOTE: the key is kept only once it has opened the pool: a wrong one must not stick to it.
    const pool = (await this.call<{ pool: Pool }>('GET', `/pools/${enc(name)}`, undefined, name, apiKey)).pool
    if (apiKey !== undefined) this.poolKeys.set(name, apiKey)
    return pool
  }

  async getPool(name: string): Promise<Pool> {
    return (await this.call<{ pool: Pool }>('GET', `/pools/${enc(name)}`, undefined, name)).pool
  }

  async getPoolStatus(name: string): Promise<PoolStatus> {
    const { pool, workspaces } = await this.call<PoolStatus>('GET', `/pools/${enc(name)}/status`, undefined, name)
    for (const w of workspaces) this.podPools.set(w.id, pool.name)
    return { pool, workspaces }
  }

  async configurePool(name: string, settings: PoolSettings): Promise<Pool> {
    return (await this.call<{ pool: Pool }>('PATCH', `/pools/${enc(name)}`, settings, name)).pool
  }

  async deletePool(name: string): Promise<void> {
    await this.call('DELETE', `/pools/${enc(name)}`, undefined, name)
    this.poolKeys.delete(name)
    for (const [pod, pool] of this.podPools) if (pool === name) this.podPools.delete(pod)
  }

  // --- pods --------------------------------------------------------------------

  async listPods(poolName: string): Promise<Pod[]> {
    return (await this.call<{ workspaces: Pod[] }>('GET', `/pools/${enc(poolName)}/workspaces`, undefined, poolName)).workspaces.map((p) => this.seen(p))
  }

  async claimPod(poolName: string, workspaceId: string): Promise<Pod> {
    return this.seen((await this.call<{ workspace: Pod }>('GET', `/pools/${enc(poolName)}/workspace?workspaceId=${enc(workspaceId)}`, undefined, poolName)).workspace)
  }

  async getPod(podId: string): Promise<Pod> {
    return this.podCall('GET', podId, '')
  }

  async updatePod(podId: string, req: { repositories: string[] }): Promise<Pod> {
    return this.podCall('POST', podId, '/update', { repositories: req.repositories })
  }

  async markPodUsed(podId: string): Promise<Pod> {
    return this.podCall('POST', podId, '/mark-used')
  }

  async releasePod(podId: string): Promise<Pod> {
    return this.podCall('POST', podId, '/release')
  }

  waitForPodStatus<S extends PodStatus | Deleted>(podId: string, status: S, options: WaitOptions = {}): Promise<WaitResult<S, Pod>> {
    const timing = { timeoutMs: options.timeoutMs ?? this.opts.timeoutMs ?? 60_000, pollIntervalMs: options.pollIntervalMs ?? this.opts.pollIntervalMs, signal: options.signal }
    // NOTE: waitForStatus resolves null exactly when `status` is 'deleted', which is what WaitResult says.
    return waitForStatus({ kind: 'pod', id: podId, target: status, get: (id) => this.getPod(id) }, timing) as Promise<WaitResult<S, Pod>>
  }

  async close(): Promise<void> {
    this.closed = true
    await this.transport.close?.()
  }

  // --- wire ----------------------------------------------------------------------

  private seen(pod: Pod): Pod {
    this.podPools.set(pod.id, pod.poolName)
    return pod
  }

  private async podCall(method: HttpMethod, podId: string, action: string, body?: unknown): Promise<Pod> {
    const { workspace } = await this.call<{ workspace: Pod }>(method, `/workspaces/${enc(podId)}${action}`, body, this.podPools.get(podId))
    return this.seen(workspace)
  }

  private keyHeaders(poolName: string | undefined, key: string | undefined): Record<string, string> | undefined {
    const k = key ?? (poolName === undefined ? undefined : this.poolKeys.get(poolName)) ?? this.opts.apiKey
    return k === undefined ? undefined : { authorization: `Bearer ${k}` }
  }

  private async call<W>(method: HttpMethod, path: string, body: unknown, poolName: string | undefined, key?: string): Promise<W> {
    if (this.closed) throw new MockcloudError('this PoolManagerClient is closed', { status: 0, code: SDK_ERR_CLOSED })
    const res = await this.transport.request(method, this.opts.prefix + path, body, this.keyHeaders(poolName, key))
    if (res.status < 200 || res.status >= 300) throw errorFromWire(res.status, wireError(res.body), res.body)
    if (typeof res.body !== 'object' || res.body === null || (res.body as { success?: unknown }).success !== true) {
      throw new MockcloudError(`${method} ${path}: answer ${res.status} is not a pool manager's`, { status: res.status, code: SDK_ERR_BAD_RESPONSE })
    }
    return res.body as W
  }
}
