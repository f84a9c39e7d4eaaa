import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError, ValidationError } from '../errors.js'
import { allocateEnvironmentCidr } from '../ipam.js'
import { overlaps, parseCidr, type Cidr } from '../ipv4.js'
import type { CreateNetworkInput, NetworkData } from './network.kind.js'
import { insertSubnet } from './subnet.ops.js'

export const networkHooks: KindHooks<NetworkData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateNetworkInput
    const id = await tx.newId()
    let cidr: Cidr | undefined
    // NOTE: the project's ranges are read to keep the new one clear of them.
    if (input.subnet) await tx.lock(`cidrs:${project}`)
    if (input.subnet === 'auto') {
      cidr = await allocateEnvironmentCidr(tx, project, id, await projectCidrs(tx, project))
    } else if (input.subnet) {
      cidr = parseCidr(input.subnet.cidr)
      if (!cidr || cidr.prefix < 8 || cidr.prefix > 29) {
        throw new ValidationError('cidr', `cidr: '${input.subnet.cidr}' is not an IPv4 network from /8 to /29 with its host bits zero (e.g. 10.7.0.0/16)`)
      }
      const clash = (await projectCidrs(tx, project)).find((c) => overlaps(c, cidr!))
      if (clash) throw new ConflictError(`cidr ${cidr.text} overlaps ${clash.text}, already used by another network of project ${project}`)
      if (!(await tx.q.claimAddress(`cidr:${project}`, cidr.text, id))) throw new ConflictError(`cidr ${cidr.text} is already used in project ${project}`)
    }
    const subnetId = cidr ? await tx.newId() : null
    const network = await tx.create<NetworkData>('network.network', {
      id,
      project,
      name: input.name,
      data: { cidr: cidr?.text ?? null, subnetId, external: false, shared: false, mtu: 1500, description: input.description ?? '' },
    })
    if (cidr && subnetId) await insertSubnet(tx, network, { id: subnetId, name: `${input.name}-subnet`, cidr })
    return network
  },

  async beforeDelete(tx, network) {
    // NOTE: a server create holds this shared while it adds its port: none can slip in after the check.
    await tx.lock(networkLock(network.id))
    const vms = await tx.q.childrenOf(network.id, 'compute.server')
    if (vms.length) {
      throw new ConflictError(`network ${network.id} still has ${vms.length} server(s) (${vms.slice(0, 3).map((v) => v.id).join(', ')}${vms.length > 3 ? ', ...' : ''}); delete them first`)
    }
    const ports = await tx.q.childrenOf(network.id, 'network.port')
    if (ports.length) throw new ConflictError(`network ${network.id} still has ${ports.length} port(s) in use`)
  },

  async onGone(tx, network) {
    for (const subnet of await tx.q.childrenOf(network.id, 'network.subnet')) await tx.remove(subnet, 'delete')
  },
}

/** Held shared by whatever adds to a network (a server's port), exclusively by its delete. */
export function networkLock(id: string): string {
  return `network.network:${id}`
}

/** The CIDRs of the project's networks, to keep a new one from overlapping them. */
async function projectCidrs(tx: EngineTx, project: string): Promise<Cidr[]> {
  const claimed = await tx.q.addressesIn(`cidr:${project}`)
  return claimed.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined)
}

export type NetworkRecord = ResourceRecord<NetworkData>
