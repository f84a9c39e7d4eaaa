import type {
  AllocateFloatingIpRequest,
  Container,
  ContainerStatus,
  CreateContainerRequest,
  CreateDnsRecordRequest,
  CreateInstanceRequest,
  CreateNetworkRequest,
  CreateSecurityGroupRequest,
  CreateVolumeRequest,
  Deleted,
  DnsRecord,
  FloatingIp,
  Instance,
  InstanceStatus,
  ListInstancesOptions,
  ListOptions,
  Network,
  Page,
  SecurityGroup,
  Volume,
  VolumeStatus,
  WaitOptions,
  WaitResult,
} from './types.js'

/**
 * The infrastructure client of seed 000 (Go `infra.Client`), in TypeScript:
 * instances, networks, floating IPs, security groups, DNS records,
 * containers and volumes, plus `waitFor…` helpers for the asynchronous ones.
 *
 * Every call acts in the client's tenant. Every rejection is a
 * `MockcloudError` subclass (see errors.ts), except an aborted wait, which
 * rejects with its signal's reason:
 * - `NotFoundError` (404): unknown id, or another tenant's;
 * - `ValidationError` (400): bad input, `field` names the request field (`sizeGb`);
 * - `ConflictError` (409): the resource's state forbids it (a building VM
 *   cannot stop, an in-use volume cannot attach again or be deleted);
 * - `InjectedFaultError`: a fault rule the test set up answered;
 * - `UnauthorizedError` (401), `NetworkError` (no answer, status 0).
 *
 * Asynchronous kinds (instances, volumes, containers) resolve create, actions
 * and delete at once with the resource in its transitional status
 * (`building`, `stopping`…); wait for the end with the `waitFor…` methods.
 *
 * @example
 * const client = createInfraClient()
 * const net = await client.createNetwork({ name: 'staging' })
 * const vm = await client.createInstance({ name: 'web-1', networkId: net.id, flavorId: 'small', imageId: 'ubuntu-22.04' })
 * await client.waitForInstanceStatus(vm.id, 'active')
 */
export interface InfraClient {
  // --- instances ---------------------------------------------------------------

  /** Boots an instance; resolves with it `building` (ValidationError for an unknown network, flavor, image or group). */
  createInstance(req: CreateInstanceRequest): Promise<Instance>
  /** Resolves with the instance as it is now; NotFoundError once it is gone. */
  getInstance(id: string): Promise<Instance>
  /** One page of the tenant's instances, filtered by network, status or exact name. */
  listInstances(options?: ListInstancesOptions): Promise<Page<Instance>>
  /** Starts deleting; resolves once accepted (the instance is `deleting`). Wait for `deleted` to see it gone. ConflictError if already deleting. */
  deleteInstance(id: string): Promise<void>
  /** Starts a `stopped` instance; resolves with it `starting`. ConflictError in any other status. */
  startInstance(id: string): Promise<Instance>
  /** Stops an `active` instance; resolves with it `stopping`. ConflictError in any other status. */
  stopInstance(id: string): Promise<Instance>
  /** Reboots an `active` instance; resolves with it `rebooting`. ConflictError in any other status. */
  rebootInstance(id: string): Promise<Instance>
  /**
   * Polls until the instance reports `status` and resolves with it (null for
   * `deleted`, once it is gone). Rejects with ResourceErrorStateError if it
   * enters `error`, WaitTimeoutError after `timeoutMs`, NotFoundError if it
   * disappears while waiting for another status, the signal's reason on abort.
   */
  waitForInstanceStatus<S extends InstanceStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Instance>>

  // --- networks ----------------------------------------------------------------

  /** Creates a network with its subnet (`cidr`, default the lowest free 10.N.0.0/16); resolves with it `active`. */
  createNetwork(req: CreateNetworkRequest): Promise<Network>
  getNetwork(id: string): Promise<Network>
  listNetworks(options?: ListOptions): Promise<Page<Network>>
  /** Deletes at once. ConflictError while instances still use it. */
  deleteNetwork(id: string): Promise<void>

  // --- floating IPs ------------------------------------------------------------

  /** Takes a free public address (41.100.0.0/16 by default); ConflictError when the pool is empty. */
  allocateFloatingIP(req?: AllocateFloatingIpRequest): Promise<FloatingIp>
  getFloatingIP(id: string): Promise<FloatingIp>
  listFloatingIPs(options?: ListOptions): Promise<Page<FloatingIp>>
  /** Resolves with the address attached (`instanceId`, `fixedIp` set). ConflictError if it or the instance already has one. */
  attachFloatingIP(floatingIpId: string, instanceId: string): Promise<FloatingIp>
  /** Resolves with the address detached. ConflictError if it was not attached. */
  detachFloatingIP(floatingIpId: string): Promise<FloatingIp>
  /** Gives the address back to the pool. */
  releaseFloatingIP(floatingIpId: string): Promise<void>

  // --- security groups ---------------------------------------------------------

  /** Creates a group with its rules; resolves with it `active`, rules with their ids. */
  createSecurityGroup(req: CreateSecurityGroupRequest): Promise<SecurityGroup>
  getSecurityGroup(id: string): Promise<SecurityGroup>
  listSecurityGroups(options?: ListOptions): Promise<Page<SecurityGroup>>
  /** Deletes at once. ConflictError while instances use it, and for the tenant's `default` group. */
  deleteSecurityGroup(id: string): Promise<void>

  // --- DNS records -------------------------------------------------------------

  /** Creates a record set; ConflictError if the name already has a set of that type. */
  createDNSRecord(req: CreateDnsRecordRequest): Promise<DnsRecord>
  getDNSRecord(id: string): Promise<DnsRecord>
  listDNSRecords(options?: ListOptions): Promise<Page<DnsRecord>>
  deleteDNSRecord(id: string): Promise<void>

  // --- containers --------------------------------------------------------------

  /** Starts a container; resolves with it `creating`. */
  createContainer(req: CreateContainerRequest): Promise<Container>
  getContainer(id: string): Promise<Container>
  /** Resolves with the container's status alone (`running`…). */
  getContainerStatus(id: string): Promise<ContainerStatus>
  listContainers(options?: ListOptions): Promise<Page<Container>>
  /** Stops a `running` container; resolves with it `stopping`. ConflictError in any other status. */
  stopContainer(id: string): Promise<Container>
  /** Starts a `stopped` container; resolves with it `starting`. ConflictError in any other status. */
  startContainer(id: string): Promise<Container>
  /** Starts deleting; resolves once accepted. Wait for `deleted` to see it gone. */
  deleteContainer(id: string): Promise<void>
  /** As waitForInstanceStatus, for a container. */
  waitForContainerStatus<S extends ContainerStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Container>>

  // --- volumes -----------------------------------------------------------------

  /** Creates a volume; resolves with it `creating`. ValidationError (`sizeGb`) for a size below 1. */
  createVolume(req: CreateVolumeRequest): Promise<Volume>
  getVolume(id: string): Promise<Volume>
  listVolumes(options?: ListOptions): Promise<Page<Volume>>
  /** Attaches an `available` volume; resolves with it `attaching`. ConflictError if it is in use or not available. */
  attachVolume(volumeId: string, instanceId: string): Promise<Volume>
  /** Detaches an `in-use` volume; resolves with it `detaching`. ConflictError if it is not attached. */
  detachVolume(volumeId: string): Promise<Volume>
  /** Starts deleting an `available` (or `error`) volume; ConflictError while it is attached. */
  deleteVolume(id: string): Promise<void>
  /** As waitForInstanceStatus, for a volume. */
  waitForVolumeStatus<S extends VolumeStatus | Deleted>(id: string, status: S, options?: WaitOptions): Promise<WaitResult<S, Volume>>

  /** Releases what the client holds (an embedded server it started). Calls after close reject. */
  close(): Promise<void>
}
