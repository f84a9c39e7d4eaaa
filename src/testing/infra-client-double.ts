import { EmbeddedInfraClient } from '../sdk/embedded-infra-client.js'
import type { InfraClient } from '../sdk/infra-client.js'
import { ClientDouble, type DoubleBehavior, type DoubleCallArgs, type DoubleCallResult, type DoubleCalls, type DoubledMethod } from './client-double.js'

/** Every call of the InfraClient interface, by name. */
export type InfraClientMethod = DoubledMethod<InfraClient>

/** The arguments of one call of `method`. */
export type CallArgs<M extends InfraClientMethod> = DoubleCallArgs<InfraClient, M>

/** What `method` resolves with. */
export type CallResult<M extends InfraClientMethod> = DoubleCallResult<InfraClient, M>

/** A stand-in for `method`: the arguments in, a result (or a rejection) out. */
export type Behavior<M extends InfraClientMethod> = DoubleBehavior<InfraClient, M>

/** The calls each method received, oldest first: `calls.createInstance[0][0].name`. */
export type CallsByMethod = DoubleCalls<InfraClient>

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
// NOTE: declaration merging: the InfraClient methods are defined per name by ClientDouble.
export class InfraClientDouble extends ClientDouble<InfraClient> {
  constructor(opts: InfraClientDoubleOptions = {}) {
    const fallback = opts.fallback === undefined ? new EmbeddedInfraClient({ profile: 'instant', seed: 'double' }) : opts.fallback || undefined
    super('InfraClientDouble', METHODS, fallback, opts.fallback === undefined)
  }
}
