import type { FastifyInstance } from 'fastify'
import type { Clock } from '../clock/clock.js'
import type { ProfileName } from '../engine/timing.js'
import type { AppOptions } from '../server/app.js'
import { NativeInfraClient } from './native-infra-client.js'
import { seedOption } from './seed-option.js'
import { InjectTransport, type HttpMethod, type Transport, type TransportResponse } from './transport.js'

export interface EmbeddedInfraClientOptions {
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
  /** The tenant (project) every call acts in. Default `default`. */
  tenantId?: string
  /**
   * Serve this already built app instead of building one. The caller keeps
   * ownership: `close()` leaves it running. See `EmbeddedInfraClient.fromApp`.
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
class EmbeddedAppTransport implements Transport {
  private building: Promise<{ app: FastifyInstance; transport: InjectTransport }> | undefined

  constructor(private readonly opts: EmbeddedInfraClientOptions & { seed?: string | undefined }) {}

  app(): Promise<FastifyInstance> {
    return this.ready().then((r) => r.app)
  }

  async request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse> {
    return (await this.ready()).transport.request(method, path, body)
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
      // NOTE: loaded on demand, so an application that only uses HttpInfraClient never loads the server, SQLite or Fastify's plugins.
      const { buildApp } = await import('../server/app.js')
      // NOTE: no API key in process: a MOCKCLOUD_API_KEY meant for a server must not lock the embedded client out.
      const appOpts: AppOptions = { db: o.db ?? ':memory:', profile: o.profile, seed: o.seed, clock: o.clock, timing: o.timing, timeScale: o.timeScale, publicCidr: o.publicCidr, apiKey: '' }
      app = await buildApp(appOpts)
    }
    return { app, transport: new InjectTransport(app, { tenantId: o.tenantId }) }
  }
}

/**
 * `InfraClient` with a whole mockcloud inside the process: the native API
 * served through Fastify's `inject` (no port), its engine and store. The
 * server is built on the first call; a bad option (profile, timing) rejects
 * that call with the server's own error.
 *
 * @example
 * const clock = new ManualClock()
 * const client = new EmbeddedInfraClient({ clock, seed: '1' })
 * const vm = await client.createInstance({ name: 'web', networkId: (await client.createNetwork({ name: 'n' })).id })
 * const active = client.waitForInstanceStatus(vm.id, 'active')
 * await clock.advance(3_000)
 * await active
 * await client.close()
 */
export class EmbeddedInfraClient extends NativeInfraClient {
  private readonly embedded: EmbeddedAppTransport

  constructor(opts: EmbeddedInfraClientOptions = {}) {
    // NOTE: checked here, so a bad seed throws at construction rather than failing every call.
    const transport = new EmbeddedAppTransport({ ...opts, seed: seedOption(opts.seed, 'seed') })
    super(transport, { pollIntervalMs: opts.pollIntervalMs ?? 50, timeoutMs: opts.timeoutMs })
    this.embedded = transport
  }

  /**
   * A client over an app the caller built and will close (a test kit's).
   *
   * @example
   * const app = await buildApp({ clock })
   * const teamA = EmbeddedInfraClient.fromApp(app, { tenantId: 'team-a' })
   */
  static fromApp(app: FastifyInstance, opts: Pick<EmbeddedInfraClientOptions, 'tenantId' | 'pollIntervalMs' | 'timeoutMs'> = {}): EmbeddedInfraClient {
    return new EmbeddedInfraClient({ ...opts, app })
  }

  /** The app this client serves, built if it was not yet: its runtime (`app.mockcloud`) holds the engine, scheduler and clock. */
  app(): Promise<FastifyInstance> {
    return this.embedded.app()
  }
}
