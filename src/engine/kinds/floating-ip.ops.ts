import type { ResourceRecord } from '../../store/records.js'
import type { KindHooks } from '../define-kind.js'
import { ConflictError, ValidationError } from '../errors.js'
import { allocateAddress } from '../ipam.js'
import { parseCidr } from '../ipv4.js'
import { PUBLIC_NETWORK_ID } from '../seed.js'
import type { AllocateFloatingIpInput, FloatingIpData } from './floating-ip.kind.js'
import type { NetworkData } from './network.kind.js'
import { requireServerIn } from './server.ops.js'
import type { SubnetData } from './subnet.kind.js'

export const floatingIpHooks: KindHooks<FloatingIpData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as AllocateFloatingIpInput
    const network = await tx.require<NetworkData>('network.network', input.floatingNetworkId ?? PUBLIC_NETWORK_ID, project, 'floatingNetworkId')
    if (!network.data.external) throw new ValidationError('floatingNetworkId', `floatingNetworkId: network ${network.id} is not external`)
    const subnet = (network.data.subnetId ? await tx.q.getResource(network.data.subnetId) : undefined) as ResourceRecord<SubnetData> | undefined
    if (!subnet) throw new ConflictError(`external network ${network.id} has no subnet to allocate from`)
    const id = await tx.newId()
    const address = await allocateAddress(tx, subnet.id, parseCidr(subnet.data.cidr)!, id)
    return tx.create<FloatingIpData>('network.floating-ip', {
      id,
      project,
      name: address,
      parentId: network.id,
      data: { address, floatingNetworkId: network.id, vmId: null, portId: null, fixedIp: null, description: input.description ?? '' },
    })
  },

  actions: {
    async attach(tx, fip, args) {
      const states = ['building', 'active', 'stopping', 'stopped', 'starting', 'rebooting', 'error']
      const vm = await requireServerIn(tx, String(args['vmId']), fip.project, states, `floating IP ${fip.data.address}`)
      if (fip.data.vmId) throw new ConflictError(`floating IP ${fip.data.address} is already attached to server ${fip.data.vmId}; detach it first`)
      const others = await tx.q.referrers(vm.id, 'associated-with')
      if (others.length) throw new ConflictError(`server ${vm.id} already has floating IP ${others[0]}`)
      await tx.q.addRef(fip.id, vm.id, 'associated-with')
      return tx.begin(fip, 'attach', { vmId: vm.id, portId: vm.data.portId, fixedIp: vm.data.ipAddress })
    },
    async detach(tx, fip) {
      if (!fip.data.vmId) throw new ConflictError(`floating IP ${fip.data.address} is not attached`)
      await tx.q.removeRefsFrom(fip.id, 'associated-with')
      return tx.begin(fip, 'detach', { vmId: null, portId: null, fixedIp: null })
    },
  },
}
