/**
 * `mockcloud/sdk`: the client an application imports to provision
 * infrastructure, against an in-process mockcloud, any running one, or (later)
 * the real provider, behind one `InfraClient` interface.
 *
 * @example
 * import { createInfraClient, NotFoundError } from 'mockcloud/sdk'
 * const client = createInfraClient()   // USE_MOCK_INFRA / INFRA_SERVICE_URL / INFRA_SERVICE_API_KEY / INFRA_TENANT_ID
 * const net = await client.createNetwork({ name: 'staging' })
 * const vm = await client.createInstance({ name: 'web-1', networkId: net.id, flavorId: 'small' })
 * await client.waitForInstanceStatus(vm.id, 'active')
 */
export type { InfraClient } from './infra-client.js'
export { NativeInfraClient, type NativeInfraClientOptions } from './native-infra-client.js'
export { HttpInfraClient, type HttpInfraClientOptions } from './http-infra-client.js'
export { EmbeddedInfraClient, type EmbeddedInfraClientOptions } from './embedded-infra-client.js'
export type { PoolManagerClient } from './pool-manager-client.js'
export { WirePoolManagerClient, type WirePoolManagerClientOptions } from './wire-pool-manager-client.js'
export { HttpPoolManagerClient, type HttpPoolManagerClientOptions } from './http-pool-manager-client.js'
export { EmbeddedPoolManagerClient, type EmbeddedPoolManagerClientOptions } from './embedded-pool-manager-client.js'
export type { EmbeddedServerOptions } from './embedded-app-transport.js'
export { createPoolManagerClient, POOL_MANAGER_ENV, type CreatePoolManagerClientOptions } from './create-pool-manager-client.js'
export type * from './pool-types.js'
export { withResilience, isTransientError, CircuitOpenError, SDK_ERR_CIRCUIT_OPEN, type ResilienceOptions } from './with-resilience.js'
export { withMetrics, type MetricsOptions } from './with-metrics.js'
export { createInfraClient, InfraClientConfigError, INFRA_ENV, type CreateInfraClientOptions } from './create-infra-client.js'
export {
  FetchTransport,
  InjectTransport,
  type FetchTransportOptions,
  type HttpMethod,
  type InjectTarget,
  type Transport,
  type TransportIdentity,
  type TransportResponse,
} from './transport.js'
export {
  MockcloudError,
  NotFoundError,
  ConflictError,
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  InjectedFaultError,
  NetworkError,
  WaitTimeoutError,
  ResourceErrorStateError,
  errorFromResponse,
  errorFromWire,
  EMU_ERR_INJECTED,
  SDK_ERR_NETWORK,
  SDK_ERR_BAD_RESPONSE,
  SDK_ERR_WAIT_TIMEOUT,
  SDK_ERR_RESOURCE_ERROR,
  SDK_ERR_CLOSED,
  type MockcloudErrorDetails,
  type WireError,
} from './errors.js'
export type * from './types.js'
// NOTE: an EmbeddedInfraClient takes a Clock; tests drive it with a ManualClock.
export { ManualClock } from '../clock/manual-clock.js'
export type { Clock } from '../clock/clock.js'
