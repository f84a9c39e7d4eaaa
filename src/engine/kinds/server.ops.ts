import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError, ValidationError } from '../errors.js'
import type { NetworkData } from './network.kind.js'
import { networkLock } from './network.ops.js'
import { insertPort } from './port.ops.js'
import { ensureDefaultGroup, DEFAULT_GROUP } from './security-group.ops.js'
import type { CreateServerInput, ServerData } from './server.kind.js'
import type { FlavorData } from './flavor.kind.js'

export const DEFAULT_FLAVOR = 'm1.small'
export const DEFAULT_IMAGE = 'ubuntu-22.04'

export const serverHooks: KindHooks<ServerData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateServerInput
    await tx.lock(networkLock(input.networkId), 'shared')
    const network = await tx.require<NetworkData>('network.network', input.networkId, project, 'networkId')
    if (network.data.external) throw new ValidationError('networkId', `networkId: ${network.id} is an external network; attach a floating IP instead`)
    const flavor = await resolveFlavor(tx, input.flavor ?? DEFAULT_FLAVOR, project)
    const image = await tx.resolve('image.image', input.image ?? DEFAULT_IMAGE, project, 'image')
    const groups = await resolveGroups(tx, project, input.securityGroups ?? [DEFAULT_GROUP])
    const id = await tx.newId()
    const port = await insertPort(tx, network, { deviceId: id, deviceOwner: 'compute:nova', securityGroupIds: groups })
    for (const g of groups) await tx.q.addRef(id, g, 'uses-security-group')
    return tx.create<ServerData>('compute.server', {
      id,
      project,
      name: input.name,
      parentId: network.id,
      data: {
        flavorId: flavor.id,
        flavorName: flavor.name,
        vcpus: flavor.data.vcpus,
        ramMb: flavor.data.ramMb,
        imageId: image.id,
        imageName: image.name,
        networkId: network.id,
        portId: port.id,
        ipAddress: port.data.ipAddress,
        securityGroupIds: groups,
        keyName: input.keyName ?? null,
        metadata: input.metadata ?? {},
        fault: null,
      },
    })
  },

  async beforeDelete(tx, vm) {
    // NOTE: attaches check the server's state under this lock; after the delete begins they see `deleting`.
    await tx.lock(serverLock(vm.id))
  },

  actions: {
    stop: (tx, vm) => tx.begin(vm, 'stop'),
    start: (tx, vm) => tx.begin(vm, 'start'),
    reboot: (tx, vm) => tx.begin(vm, 'reboot'),
  },

  async onGone(tx, vm) {
    // NOTE: as Nova does on delete: volumes are detached, floating IPs disassociated, the port released.
    for (const volumeId of await tx.q.referrers(vm.id, 'attached-to')) {
      const volume = await tx.q.getResource(volumeId)
      if (volume) await tx.write(volume, { status: 'available', data: { vmId: null, device: null, attachedAt: null } }, 'detach')
      await tx.q.removeRefsFrom(volumeId, 'attached-to')
    }
    for (const fipId of await tx.q.referrers(vm.id, 'associated-with')) {
      const fip = await tx.q.getResource(fipId)
      if (fip) await tx.write(fip, { data: { vmId: null, portId: null, fixedIp: null } }, 'detach')
      await tx.q.removeRefsFrom(fipId, 'associated-with')
    }
    const port = await tx.q.getResource(vm.data.portId)
    if (port) await tx.remove(port, 'delete')
  },
}

/** Finds a flavor by id or name; a bare size (`small`) also finds devstack's `m1.small`. */
async function resolveFlavor(tx: EngineTx, ref: string, project: string): Promise<ResourceRecord<FlavorData>> {
  try {
    return (await tx.resolve('compute.flavor', ref, project, 'flavor')) as ResourceRecord<FlavorData>
  } catch (err) {
    if (ref.includes('.') || !(err instanceof ValidationError)) throw err
    return (await tx.resolve('compute.flavor', `m1.${ref}`, project, 'flavor').catch(() => Promise.reject(err))) as ResourceRecord<FlavorData>
  }
}

async function resolveGroups(tx: EngineTx, project: string, refs: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const [i, ref] of refs.entries()) {
    const group = ref === DEFAULT_GROUP ? await ensureDefaultGroup(tx, project) : await tx.resolve('network.security-group', ref, project, `securityGroups[${i}]`)
    if (!ids.includes(group.id)) ids.push(group.id)
  }
  return ids
}

/** Held by whatever attaches to a server (volumes, floating IPs) and by its delete. */
export function serverLock(id: string): string {
  return `compute.server:${id}`
}

/**
 * The VM a volume or floating IP is being attached to (locked) (404 if unknown, as it
 * is named in the path), checked to be in one of `states` (409 otherwise).
 */
export async function requireServerIn(
  tx: EngineTx,
  vmId: string,
  project: string,
  states: readonly string[],
  what: string,
): Promise<ResourceRecord<ServerData>> {
  // NOTE: before reading: what is attached to a server is checked and written under its lock.
  await tx.lock(serverLock(vmId))
  const vm = await tx.require<ServerData>('compute.server', vmId, project)
  if (!states.includes(vm.status)) {
    throw new ConflictError(`cannot attach ${what} to server ${vm.id} while it is ${vm.status} (it must be ${states.join(' or ')})`)
  }
  return vm
}
