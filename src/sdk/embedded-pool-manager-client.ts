import type { FastifyInstance } from 'fastify'
import { EmbeddedAppTransport, type EmbeddedServerOptions } from './embedded-app-transport.js'
import { seedOption } from './seed-option.js'
import { WirePoolManagerClient } from './wire-pool-manager-client.js'

export interface EmbeddedPoolManagerClientOptions extends EmbeddedServerOptions {
  /** Sent for pools whose key was not given to `createPool` / `getOrCreatePool`. */
  apiKey?: string
}

/**
 * `PoolManagerClient` with a whole mockcloud inside the process: the pool
 * manager face served through Fastify's `inject` (no port), its engine and
 * store. Built on the first call.
 *
 * @example
 * const clock = new ManualClock()
 * const pools = new EmbeddedPoolManagerClient({ clock, seed: '1' })
 * const pod = await pools.claimPod('default-pool', 'w1')    // provisioning: the pool was just made
 * const ready = pools.waitForPodStatus(pod.id, 'used')
 * await clock.advance(3_000)
 * await ready
 * await pools.close()
 */
export class EmbeddedPoolManagerClient extends WirePoolManagerClient {
  private readonly embedded: EmbeddedAppTransport

  constructor(opts: EmbeddedPoolManagerClientOptions = {}) {
    const transport = new EmbeddedAppTransport({ ...opts, seed: seedOption(opts.seed, 'seed') })
    super(transport, { prefix: '/pool-manager', apiKey: opts.apiKey, pollIntervalMs: opts.pollIntervalMs ?? 50, timeoutMs: opts.timeoutMs })
    this.embedded = transport
  }

  /** A client over an app the caller built and will close (a test kit's). */
  static fromApp(app: FastifyInstance, opts: Pick<EmbeddedPoolManagerClientOptions, 'apiKey' | 'pollIntervalMs' | 'timeoutMs'> = {}): EmbeddedPoolManagerClient {
    return new EmbeddedPoolManagerClient({ ...opts, app })
  }

  /** The app this client serves, built if it was not yet (`app.mockcloud` holds the engine, scheduler and clock). */
  app(): Promise<FastifyInstance> {
    return this.embedded.app()
  }
}
