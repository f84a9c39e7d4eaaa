import type { ResourceRecord } from '../../store/records.js'
import type { EngineTx } from '../engine-tx.js'
import { ConflictError } from '../errors.js'
import { allocateAddress } from '../ipam.js'
import { parseCidr } from '../ipv4.js'
import type { NetworkData } from './network.kind.js'
import type { PortData } from './port.kind.js'
import type { SubnetData } from './subnet.kind.js'

/**
 * Creates a port on the network's first subnet with a fresh address and an
 * OpenStack-style MAC (fa:16:3e:...), for the device `deviceId`.
 */
export async function insertPort(
  tx: EngineTx,
  network: ResourceRecord<NetworkData>,
  opts: { deviceId: string; deviceOwner: string; securityGroupIds: string[] },
): Promise<ResourceRecord<PortData>> {
  // NOTE: the network records its subnet: looking it up by id stays fast however many ports the network has.
  const subnet = (network.data.subnetId ? await tx.q.getResource(network.data.subnetId) : undefined) as ResourceRecord<SubnetData> | undefined
  if (!subnet) throw new ConflictError(`network ${network.id} has no subnet to take an address from`)
  const id = await tx.newId()
  const ipAddress = await allocateAddress(tx, subnet.id, parseCidr(subnet.data.cidr)!, id)
  const mac = tx.random.hex(6, id, 'mac').match(/../g)!.join(':')
  return tx.create<PortData>('network.port', {
    id,
    project: network.project,
    name: '',
    parentId: network.id,
    data: {
      networkId: network.id,
      subnetId: subnet.id,
      ipAddress,
      macAddress: `fa:16:3e:${mac}`,
      deviceId: opts.deviceId,
      deviceOwner: opts.deviceOwner,
      securityGroupIds: opts.securityGroupIds,
    },
  })
}
