import type { FastifyInstance } from 'fastify'
import type { Clock } from '../clock/clock.js'
import type { ProfileName } from '../engine/timing.js'
import type { AppOptions } from '../server/app.js'
import { InjectTransport, type HttpMethod, type Transport, type TransportResponse } from './transport.js'

/** What an embedded client (InfraClient, PoolManagerClient) builds its in-process mockcloud from. */
export interface EmbeddedServerOptions {
  /** SQLite file path or `:memory:` (default); a `postgres://` URL works too. */
  db?: string
  /** Timing profile: `instant`, `fast` (default) or `realistic`. */
  profile?: ProfileName
  /** Seed of every latency, failure, address and id (`42` is the same run as `'42'`); default a random one. */
  seed?: string | number
  /** Default the system clock; give a ManualClock to drive time from a test. */
  clock?: Clock
  /** Timing overrides, `kind.operation.property=value` (`vm.create.failureRate=1`). */
  timing?: readonly string[]
  /** Time scale of the system clock (`0.01` makes a 60 s build take 0.6 s). */
  timeScale?: number
  /** Where floating IPs come from; default 41.100.0.0/16. */
  publicCidr?: string
  /**
   * Serve this already built app instead of building one. The caller keeps
   * ownership: `close()` leaves it running (the clients' `fromApp`).
   */
  app?: FastifyInstance
  /** Default poll interval of the waitFor… methods, wall-clock ms. Default 50. */
  pollIntervalMs?: number
  /** Default timeout of the waitFor… methods, wall-clock ms. Default 60 000. */
  timeoutMs?: number
}

/**
 * Builds the app on the first request (so constructing a client is cheap and
 * synchronous) and closes it on `close()` when it built it.
 */
export class EmbeddedAppTransport implements Transport {
  private building: Promise<{ app: FastifyInstance; transport: InjectTransport }> | undefined

  constructor(private readonly opts: EmbeddedServerOptions & { seed?: string | undefined; tenantId?: string | undefined }) {}

  app(): Promise<FastifyInstance> {
    return this.ready().then((r) => r.app)
  }

  async request(method: HttpMethod, path: string, body?: unknown, headers?: Record<string, string>): Promise<TransportResponse> {
    return (await this.ready()).transport.request(method, path, body, headers)
  }

  async close(): Promise<void> {
    if (!this.building || this.opts.app) return
    const built = await this.building.catch(() => undefined)
    await built?.app.close()
  }

  private ready(): Promise<{ app: FastifyInstance; transport: InjectTransport }> {
    this.building ??= this.build()
    return this.building
  }

  private async build(): Promise<{ app: FastifyInstance; transport: InjectTransport }> {
    const o = this.opts
    let app = o.app
    if (!app) {
      // NOTE: loaded on demand, so an application that only uses the HTTP clients never loads the server, SQLite or Fastify's plugins.
      const { buildApp } = await import('../server/app.js')
      // NOTE: no API key in process: a MOCKCLOUD_API_KEY meant for a server must not lock the embedded client out.
      const appOpts: AppOptions = { db: o.db ?? ':memory:', profile: o.profile, seed: o.seed, clock: o.clock, timing: o.timing, timeScale: o.timeScale, publicCidr: o.publicCidr, apiKey: '' }
      app = await buildApp(appOpts)
    }
    return { app, transport: new InjectTransport(app, { tenantId: o.tenantId }) }
  }
}

