/**
 * `mockcloud/testing`: a whole mockcloud in one line for integration tests
 * (manual clock, fault rules, reset, snapshots, the call log), and a pure
 * test double of `InfraClient` for unit tests.
 *
 * @example
 * import { startMockCloud } from 'mockcloud/testing'
 * const mc = await startMockCloud({ clock: 'manual', profile: 'realistic', seed: '42' })
 * await mc.faults.add({ kind: 'vm', operation: 'create', effect: { fail_lifecycle: true }, count: 1 })
 * await mc.clock.advance(60_000)
 * await mc.stop()
 */
export { startMockCloud, connectMockCloud, type StartMockCloudOptions, type ConnectMockCloudOptions, type MockCloud } from './start-mockcloud.js'
export { ControlClient, type ControlClientOptions } from './control-client.js'
export {
  InfraClientDouble,
  type InfraClientDoubleOptions,
  type InfraClientMethod,
  type CallArgs,
  type CallResult,
  type Behavior,
  type CallsByMethod,
} from './infra-client-double.js'
export { PoolManagerClientDouble, type PoolManagerClientDoubleOptions, type PoolManagerMethod } from './pool-manager-double.js'
export type { DoubleCallArgs, DoubleCallResult, DoubleBehavior, DoubleCalls, DoubledMethod } from './client-double.js'
export type { Config, ConfigChange, FaultRule, Fault, ClockState, CallRecord, CallFilter, ControlEvent, EventFilter, EventHistoryPage, EventHistoryQuery, QuotaLimitsChange, QuotaReport, Snapshot, SnapshotLoaded, ResetResult } from './types.js'
