import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { ManualClock } from '../clock/manual-clock.js'
import type { ProfileName } from '../engine/timing.js'
import { HttpInfraClient } from '../sdk/http-infra-client.js'
import { HttpPoolManagerClient } from '../sdk/http-pool-manager-client.js'
import { checkOptions } from './check-options.js'
import { ControlClient } from './control-client.js'
import type { CallFilter, CallRecord, ClockState, Config, ConfigChange, ControlEvent, EventFilter, EventHistoryPage, EventHistoryQuery, Fault, QuotaLimitsChange, QuotaReport, FaultRule, ResetResult, Snapshot, SnapshotLoaded } from './types.js'

export interface StartMockCloudOptions {
  /**
   * `manual` (default): emulated time moves only on `clock.advance(ms)`, so a
   * 60 s build takes no real time. `system`: real time, scaled by `timeScale`.
   */
  clock?: 'manual' | 'system'
  /** Where a manual clock starts. Default 2026-01-01T00:00:00Z, so timestamps repeat from run to run. */
  start?: Date | number
  /** With the system clock: emulated time per real time (`0.01` runs a 60 s build in 0.6 s). */
  timeScale?: number
  /** `instant`, `fast` (default) or `realistic`. */
  profile?: ProfileName
  /** Seed of every latency, failure, address and id (`42` is the same run as `'42'`). Default `test`: the same calls give the same run. */
  seed?: string | number
  /** Timing overrides, `kind.operation.property=value` (`vm.create.failureRate=1`). */
  timing?: readonly string[]
  /** Where floating IPs come from; default 41.100.0.0/16. */
  publicCidr?: string
  /** SQLite file path, `:memory:` (default) or a `postgres://` URL. */
  db?: string
  /** Lock the control face with this key (the kit sends it). */
  controlKey?: string
  /** Require this key on the native API (the kit's clients send it). */
  apiKey?: string
  /** The tenant (project) `client` acts in. Default `default`. */
  tenantId?: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: a free port. */
  port?: number
  /**
   * Quota limits for every project over OpenStack's defaults (10 instances,
   * 20 cores…), in the control face's names: `{ instances: 100 }`,
   * `{ '*': -1 }` for no limits. One project's: `mc.quotas.set`.
   */
  quotas?: Record<string, number>
  // NOTE: a new option needs its check in check-options.ts too (the compiler asks for it).
}

export interface ConnectMockCloudOptions {
  /** A running mockcloud's root URL (`http://127.0.0.1:4600`). */
  url: string
  controlKey?: string
  /** Sent to the native API as a bearer token, when the server wants one. */
  apiKey?: string
  tenantId?: string
}

/** A mockcloud under test: its URL, a client, and what tests drive. */
export interface MockCloud {
  /** The server's root URL, for the code under test (`INFRA_SERVICE_URL`). */
  url: string
  /** An `InfraClient` over HTTP, in the kit's tenant. */
  client: HttpInfraClient
  /** An `InfraClient` in another tenant (project). */
  clientFor(tenantId: string): HttpInfraClient
  /**
   * A `PoolManagerClient` over HTTP (seed 004's pool manager, at
   * `URL/pool-manager`): `getOrCreatePool`, `claimPod`, `releasePod`…
   */
  pools: HttpPoolManagerClient
  /** A `PoolManagerClient` that sends `apiKey` for pools it was not given the key of (or none). */
  poolsWith(apiKey?: string): HttpPoolManagerClient
  clock: {
    /** Emulated now. */
    now(): Promise<Date>
    state(): Promise<ClockState>
    /** Moves a manual clock forward; resolves with the new time once every transition due by then has run. */
    advance(ms: number): Promise<Date>
    /** Changes how fast a system clock runs. */
    setTimeScale(timeScale: number): Promise<ClockState>
  }
  config: {
    get(): Promise<Config>
    /** Changes the timing profile (`{ profile: 'realistic' }`) or overrides (`{ timing: ['vm.create.latency=10s'] }`) for operations started from now on. */
    set(change: ConfigChange): Promise<Config>
  }
  faults: {
    /** Adds a rule, e.g. `{ kind: 'vm', operation: 'create', effect: { error: { status: 503, message: 'no capacity' } }, count: 1 }`. */
    add(rule: FaultRule): Promise<Fault>
    /** Every rule with how often it matched and fired. */
    list(): Promise<Fault[]>
    remove(id: number): Promise<void>
    clear(): Promise<void>
  }
  calls: {
    /** The call log, oldest first, filtered by face, operation (`vms.create`), method, status, project… */
    list(filter?: CallFilter): Promise<CallRecord[]>
    clear(): Promise<void>
  }
  events: {
    /**
     * Calls `listener` with every state change from now on (or, with
     * `after: n`, every one after event n first), filtered by project and
     * kind; resolves once listening, with a function that stops it.
     */
    subscribe(listener: (event: ControlEvent) => void, filter?: EventFilter): Promise<() => void>
    /** A page of the kept history, oldest first (`after`, `limit`, `project`, `kind`); page on with `after: page.next_after`. */
    history(query?: EventHistoryQuery): Promise<EventHistoryPage>
  }
  quotas: {
    /** A project's quotas: for each (`instances`, `floating_ips`…) the limit in force (-1: none), what it uses, and whether the limit is its own. */
    get(project?: string): Promise<QuotaReport>
    /** Sets some of a project's limits; the others keep theirs. */
    set(project: string, limits: QuotaLimitsChange): Promise<QuotaReport>
    /** Drops a project's own limits: the defaults apply again. */
    reset(project: string): Promise<QuotaReport>
  }
  /** The Prometheus metrics (`/metrics`) as text. */
  metrics(): Promise<string>
  /** Forgets every resource, fault rule and logged call, or one project's resources; seeded flavors and images stay. */
  /** Forgets every resource (and fault rule, and logged call), or the resources of one scope: a project id, `cluster:NAME`, `pool:NAME`. */
  reset(scope?: string): Promise<ResetResult>
  snapshot: {
    /** The whole state, or (given a scope: a project id, `cluster:NAME`…) that scope's with those it holds. */
    export(scope?: string): Promise<Snapshot>
    /** Replaces the whole state (a scope's snapshot: that scope's only); pending transitions keep the time they had left. */
    import(snapshot: Snapshot): Promise<SnapshotLoaded>
  }
  /** The control face itself, for what the shortcuts above leave out. */
  control: ControlClient
  /** Stops the server the kit started (a connected one keeps running). */
  stop(): Promise<void>
}

/**
 * Starts a whole mockcloud in this process on a free port, on an in-memory
 * store and (by default) a manual clock, and returns what a test needs.
 * Works the same under vitest, jest and node:test: stop it in an after hook.
 * An unknown option or a bad value throws a TypeError or RangeError naming it,
 * before anything starts.
 *
 * @example
 * const mc = await startMockCloud({ clock: 'manual', profile: 'realistic', seed: '42' })
 * const net = await mc.client.createNetwork({ name: 'staging' })
 * const vm = await mc.client.createInstance({ name: 'web-1', networkId: net.id })
 * await mc.clock.advance(60_000)
 * expect((await mc.client.getInstance(vm.id)).status).toBe('active')
 * await mc.stop()
 */
export async function startMockCloud(options?: StartMockCloudOptions): Promise<MockCloud> {
  const opts = checkOptions(options)
  // NOTE: loaded here, so importing the kit's types or the double never loads the server.
  const { buildApp } = await import('../server/app.js')
  const manual = (opts.clock ?? 'manual') === 'manual'
  const start = opts.start instanceof Date ? opts.start.getTime() : opts.start
  const app: FastifyInstance = await buildApp({
    db: opts.db ?? ':memory:',
    clock: manual ? new ManualClock(start) : undefined,
    timeScale: opts.timeScale,
    profile: opts.profile,
    seed: opts.seed ?? 'test',
    timing: opts.timing,
    publicCidr: opts.publicCidr,
    // NOTE: explicit empty strings, so a MOCKCLOUD_CONTROL_KEY or MOCKCLOUD_API_KEY in the test's environment does not lock the kit out.
    controlKey: opts.controlKey ?? '',
    apiKey: opts.apiKey ?? '',
    quotaDefaults: opts.quotas && (await import('../engine/quotas.js')).parseQuotaFlags(Object.entries(opts.quotas).map(([name, limit]) => `${name}=${limit}`)),
  })
  try {
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  } catch (err) {
    await app.close()
    throw err
  }
  const { address, port } = app.server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return mockCloudAt({ url: `http://${host}:${port}`, controlKey: opts.controlKey, apiKey: opts.apiKey, tenantId: opts.tenantId }, () => app.close())
}

/**
 * The same handle on a mockcloud that runs elsewhere (`mockcloud serve --clock manual`),
 * for tests that share one server. `stop()` leaves that server running.
 *
 * @example
 * const mc = connectMockCloud({ url: 'http://127.0.0.1:4600' })
 * await mc.reset()
 */
export function connectMockCloud(opts: ConnectMockCloudOptions): MockCloud {
  return mockCloudAt(opts, async () => undefined)
}

function mockCloudAt(opts: ConnectMockCloudOptions, stopServer: () => Promise<void>): MockCloud {
  const url = opts.url.replace(/\/+$/, '')
  const control = new ControlClient({ url, controlKey: opts.controlKey })
  // NOTE: a short poll: the server is local, and waits end as soon as the clock has moved.
  const clientFor = (tenantId: string | undefined) => new HttpInfraClient({ baseUrl: url, tenantId, apiKey: opts.apiKey, pollIntervalMs: 10 })
  const poolsWith = (apiKey?: string) => new HttpPoolManagerClient({ baseUrl: `${url}/pool-manager`, apiKey, pollIntervalMs: 10 })
  let stopped: Promise<void> | undefined
  return {
    url,
    client: clientFor(opts.tenantId),
    clientFor,
    pools: poolsWith(),
    poolsWith,
    clock: {
      now: async () => new Date((await control.clock()).now_ms),
      state: () => control.clock(),
      advance: async (ms) => new Date((await control.advance(ms)).now_ms),
      setTimeScale: (timeScale) => control.setTimeScale(timeScale),
    },
    config: {
      get: () => control.config(),
      set: (change) => control.setConfig(change),
    },
    faults: {
      add: (rule) => control.addFault(rule),
      list: () => control.listFaults(),
      remove: (id) => control.removeFault(id),
      clear: () => control.clearFaults(),
    },
    calls: {
      list: (filter) => control.listCalls(filter),
      clear: () => control.clearCalls(),
    },
    events: {
      subscribe: (listener, filter) => control.subscribe(listener, filter),
      history: (query) => control.eventHistory(query),
    },
    quotas: {
      get: (project = opts.tenantId ?? 'default') => control.quotas(project),
      set: (project, limits) => control.setQuotas(project, limits),
      reset: (project) => control.resetQuotas(project),
    },
    metrics: () => control.metrics(),
    reset: (scope) => control.reset(scope),
    snapshot: {
      export: (scope) => control.exportSnapshot(scope),
      import: (snapshot) => control.importSnapshot(snapshot),
    },
    control,
    stop: () => (stopped ??= stopServer()),
  }
}
