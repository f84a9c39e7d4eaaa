import { EmbeddedInfraClient } from '../sdk/embedded-infra-client.js'
import { MockcloudError, SDK_ERR_CLOSED } from '../sdk/errors.js'
import type { InfraClient } from '../sdk/infra-client.js'

/** Every call of the InfraClient interface, by name. */
export type InfraClientMethod = Exclude<keyof InfraClient, 'close'>

/** The arguments of one call of `method`. */
export type CallArgs<M extends InfraClientMethod> = Parameters<InfraClient[M]>

/** What `method` resolves with. */
export type CallResult<M extends InfraClientMethod> = Awaited<ReturnType<InfraClient[M]>>

/** A stand-in for `method`: the arguments in, a result (or a rejection) out. */
export type Behavior<M extends InfraClientMethod> = (...args: CallArgs<M>) => CallResult<M> | Promise<CallResult<M>>

/** The calls each method received, oldest first: `calls.createInstance[0][0].name`. */
export type CallsByMethod = { readonly [M in InfraClientMethod]: ReadonlyArray<CallArgs<M>> }

const METHODS = [
  'createInstance',
  'getInstance',
  'listInstances',
  'deleteInstance',
  'startInstance',
  'stopInstance',
  'rebootInstance',
  'waitForInstanceStatus',
  'createNetwork',
  'getNetwork',
  'listNetworks',
  'deleteNetwork',
  'allocateFloatingIP',
  'getFloatingIP',
  'listFloatingIPs',
  'attachFloatingIP',
  'detachFloatingIP',
  'releaseFloatingIP',
  'createSecurityGroup',
  'getSecurityGroup',
  'listSecurityGroups',
  'deleteSecurityGroup',
  'createDNSRecord',
  'getDNSRecord',
  'listDNSRecords',
  'deleteDNSRecord',
  'createContainer',
  'getContainer',
  'getContainerStatus',
  'listContainers',
  'stopContainer',
  'startContainer',
  'deleteContainer',
  'waitForContainerStatus',
  'createVolume',
  'getVolume',
  'listVolumes',
  'attachVolume',
  'detachVolume',
  'deleteVolume',
  'waitForVolumeStatus',
] as const satisfies readonly InfraClientMethod[]

// NOTE: fails to compile when the interface gains a method this list lacks.
const everyMethodListed: Exclude<InfraClientMethod, (typeof METHODS)[number]> extends never ? true : false = true
void everyMethodListed

export interface InfraClientDoubleOptions {
  /**
   * What a method with no behaviour and no error set does. Default an
   * EmbeddedInfraClient on the `instant` profile (a working cloud that
   * answers at once); `false` makes such calls reject, so a test states
   * every answer it relies on.
   */
  fallback?: InfraClient | false
}

interface Failure {
  error: Error
  /** How many more calls it answers; undefined for every call. */
  times: number | undefined
}

/**
 * A test double of `InfraClient` for unit tests, in the spirit of seed 003's
 * MockClientManager: it records every call per method, fails the methods a
 * test tells it to, and runs a custom function where one is given; anything
 * else goes to a working in-process cloud (or rejects, with `fallback: false`).
 *
 * @example
 * const infra = new InfraClientDouble()
 * infra.fail('createInstance', new ConflictError('quota exceeded', { status: 409, code: 'QUOTA' }), { times: 1 })
 * infra.behave('getInstance', async (id) => ({ ...someInstance, id, status: 'error' }))
 * await deployer(infra).deploy()
 * expect(infra.calls.createInstance).toHaveLength(2)
 * expect(infra.calls.createInstance[0]![0].name).toBe('web-1')
 */
export interface InfraClientDouble extends InfraClient {}
// NOTE: declaration merging: the InfraClient methods are defined per name in the constructor.
export class InfraClientDouble {
  private readonly recorded = new Map<InfraClientMethod, unknown[][]>()
  private readonly failures = new Map<InfraClientMethod, Failure>()
  private readonly behaviors = new Map<InfraClientMethod, (...args: never[]) => unknown>()
  private readonly fallback: InfraClient | undefined
  private readonly ownsFallback: boolean
  private closed = false

  constructor(opts: InfraClientDoubleOptions = {}) {
    this.ownsFallback = opts.fallback === undefined
    this.fallback = opts.fallback === undefined ? new EmbeddedInfraClient({ profile: 'instant', seed: 'double' }) : opts.fallback || undefined
    for (const method of METHODS) {
      this.recorded.set(method, [])
      Object.defineProperty(this, method, { value: (...args: unknown[]) => this.invoke(method, args), enumerable: false })
    }
  }

  /** The calls each method received (arguments as passed), oldest first. */
  get calls(): CallsByMethod {
    return Object.fromEntries(METHODS.map((m) => [m, this.recorded.get(m) ?? []])) as unknown as CallsByMethod
  }

  /** How many times `method` was called (every method, when none is given). */
  callCount(method?: InfraClientMethod): number {
    if (method) return this.recorded.get(method)?.length ?? 0
    let n = 0
    for (const calls of this.recorded.values()) n += calls.length
    return n
  }

  /**
   * Makes `method` reject with `error`: on every call, or on the next
   * `times` calls only (then it answers as before). Calls are recorded either way.
   */
  fail(method: InfraClientMethod, error: Error, opts: { times?: number } = {}): this {
    if (opts.times !== undefined && !(Number.isInteger(opts.times) && opts.times > 0)) throw new RangeError(`times: must be a positive integer, got ${opts.times}`)
    this.failures.set(method, { error, times: opts.times })
    return this
  }

  /** Answers `method` with `fn` (its arguments in; a value, a promise, or a throw out). */
  behave<M extends InfraClientMethod>(method: M, fn: Behavior<M>): this {
    this.behaviors.set(method, fn as (...args: never[]) => unknown)
    return this
  }

  /** Forgets recorded calls, errors and behaviours: of one method, or of all. */
  reset(method?: InfraClientMethod): this {
    for (const m of method ? [method] : METHODS) {
      this.recorded.set(m, [])
      this.failures.delete(m)
      this.behaviors.delete(m)
    }
    return this
  }

  /** Closes the default fallback cloud; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsFallback) await this.fallback?.close()
  }

  private async invoke(method: InfraClientMethod, args: unknown[]): Promise<unknown> {
    this.recorded.get(method)!.push(args)
    if (this.closed) throw new MockcloudError('this InfraClientDouble is closed', { status: 0, code: SDK_ERR_CLOSED })
    const failure = this.failures.get(method)
    if (failure) {
      if (failure.times !== undefined && --failure.times === 0) this.failures.delete(method)
      throw failure.error
    }
    const behavior = this.behaviors.get(method)
    if (behavior) return (behavior as (...a: unknown[]) => unknown)(...args)
    if (!this.fallback) throw new Error(`InfraClientDouble: ${method} has no behaviour (set one with behave('${method}', fn), or keep the default fallback)`)
    return (this.fallback[method] as (...a: unknown[]) => Promise<unknown>).apply(this.fallback, args)
  }
}
