import type { FastifyInstance } from 'fastify'
import { EmbeddedAppTransport, type EmbeddedServerOptions } from './embedded-app-transport.js'
import { NativeInfraClient } from './native-infra-client.js'
import { seedOption } from './seed-option.js'

export interface EmbeddedInfraClientOptions extends EmbeddedServerOptions {
  /** The tenant (project) every call acts in. Default `default`. */
  tenantId?: string
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
