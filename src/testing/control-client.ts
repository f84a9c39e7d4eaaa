import { errorFromResponse } from '../sdk/errors.js'
import { FetchTransport, type HttpMethod } from '../sdk/transport.js'
import { openEventStream } from './event-stream.js'
import type { CallFilter, CallRecord, ClockState, Config, ConfigChange, ControlEvent, EventFilter, EventHistoryPage, EventHistoryQuery, Fault, QuotaLimitsChange, QuotaReport, FaultRule, ResetResult, Snapshot, SnapshotLoaded } from './types.js'

export interface ControlClientOptions {
  /** The mockcloud's root URL (`http://127.0.0.1:4600`). */
  url: string
  /** The control key, when the server was started with one (MOCKCLOUD_CONTROL_KEY). */
  controlKey?: string | undefined
  fetch?: typeof globalThis.fetch
}

/**
 * The control face (`/_mockcloud/…`) of any mockcloud over HTTP: what the
 * test kit's `clock`, `faults`, `calls`, `reset` and `snapshot` call.
 * Errors reject as the SDK's typed errors (`ValidationError` naming the
 * field, `ConflictError` when advancing a system clock, `NotFoundError`…).
 *
 * @example
 * const control = new ControlClient({ url: 'http://127.0.0.1:4600' })
 * await control.addFault({ kind: 'vm', operation: 'create', effect: { fail_lifecycle: true }, count: 1 })
 */
export class ControlClient {
  private readonly transport: FetchTransport

  constructor(private readonly opts: ControlClientOptions) {
    // NOTE: the control key travels as a bearer token, as the API key does on the native face.
    this.transport = new FetchTransport({ baseUrl: opts.url, apiKey: opts.controlKey || undefined, fetch: opts.fetch })
  }

  clock(): Promise<ClockState> {
    return this.request('GET', '/_mockcloud/clock')
  }

  /** Moves a manual clock forward; resolves once every transition due by then has run. */
  advance(ms: number): Promise<ClockState> {
    return this.request('POST', '/_mockcloud/clock/advance', { ms })
  }

  setTimeScale(timeScale: number): Promise<ClockState> {
    return this.request('POST', '/_mockcloud/clock', { time_scale: timeScale })
  }

  config(): Promise<Config> {
    return this.request('GET', '/_mockcloud/config')
  }

  /** Changes the timing profile or overrides for operations started from now on. */
  setConfig(change: ConfigChange): Promise<Config> {
    return this.request('POST', '/_mockcloud/config', change)
  }

  addFault(rule: FaultRule): Promise<Fault> {
    return this.request('POST', '/_mockcloud/faults', rule)
  }

  async listFaults(): Promise<Fault[]> {
    return (await this.request<{ items: Fault[] }>('GET', '/_mockcloud/faults')).items
  }

  removeFault(id: number): Promise<void> {
    return this.request('DELETE', `/_mockcloud/faults/${encodeURIComponent(String(id))}`)
  }

  clearFaults(): Promise<void> {
    return this.request('DELETE', '/_mockcloud/faults')
  }

  async listCalls(filter: CallFilter = {}): Promise<CallRecord[]> {
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) query.set(k, String(v))
    const qs = query.size ? `?${query}` : ''
    return (await this.request<{ items: CallRecord[] }>('GET', `/_mockcloud/calls${qs}`)).items
  }

  clearCalls(): Promise<void> {
    return this.request('DELETE', '/_mockcloud/calls')
  }

  /** Forgets every resource, fault rule and logged call, or one project's resources; seeded flavors, images and the public network stay. */
  /** Resets everything, or one scope (a project id, `cluster:NAME`, `pool:NAME`…) with those it holds. */
  reset(scope?: string): Promise<ResetResult> {
    return this.request('POST', '/_mockcloud/reset', scope === undefined ? {} : { scope })
  }

  /** The whole state, or that of one scope (a project id, `cluster:NAME`, `pool:NAME`) with those it holds. */
  exportSnapshot(scope?: string): Promise<Snapshot> {
    return this.request('GET', scope === undefined ? '/_mockcloud/snapshot' : `/_mockcloud/snapshot?scope=${encodeURIComponent(scope)}`)
  }

  importSnapshot(snapshot: Snapshot): Promise<SnapshotLoaded> {
    return this.request('POST', '/_mockcloud/snapshot', snapshot)
  }

  /**
   * Calls `listener` with every state change from now on (`/_mockcloud/events`),
   * filtered by project and kind. Resolves once the stream is open, so no
   * change made after it resolves is missed, with a function that closes it.
   */
  subscribe(listener: (event: ControlEvent) => void, filter: EventFilter = {}): Promise<() => void> {
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) query.set(k, String(v))
    const qs = query.size ? `?${query}` : ''
    return openEventStream(`${this.opts.url.replace(/\/+$/, '')}/_mockcloud/events${qs}`, this.opts.controlKey, (data) => listener(JSON.parse(data) as ControlEvent))
  }

  /** A page of the kept event history (`/_mockcloud/events/history`), oldest first; page on with `after: page.next_after`. */
  eventHistory(q: EventHistoryQuery = {}): Promise<EventHistoryPage> {
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(q)) if (v !== undefined) query.set(k, String(v))
    return this.request('GET', `/_mockcloud/events/history${query.size ? `?${query}` : ''}`)
  }

  /** A project's quotas and what it uses (`/_mockcloud/quotas/{project}`). */
  quotas(project: string): Promise<QuotaReport> {
    return this.request('GET', `/_mockcloud/quotas/${encodeURIComponent(project)}`)
  }

  /** Sets some of a project's quota limits (-1: none); the others keep theirs. */
  setQuotas(project: string, limits: QuotaLimitsChange): Promise<QuotaReport> {
    return this.request('PUT', `/_mockcloud/quotas/${encodeURIComponent(project)}`, limits)
  }

  /** Drops a project's own limits: the defaults apply again. */
  resetQuotas(project: string): Promise<QuotaReport> {
    return this.request('DELETE', `/_mockcloud/quotas/${encodeURIComponent(project)}`)
  }

  /** `/metrics`, in Prometheus' text format. */
  async metrics(): Promise<string> {
    return String(await this.request<string>('GET', '/metrics'))
  }

  private async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const res = await this.transport.request(method, path, body)
    if (res.status >= 400) throw errorFromResponse(res.status, res.body)
    return res.body as T
  }
}
