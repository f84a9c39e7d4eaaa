import type { ResourceRecord } from '../../store/records.js'
import type { EngineTx } from '../engine-tx.js'
import { formatIpv4, hostRange, type Cidr } from '../ipv4.js'
import type { SubnetData } from './subnet.kind.js'

/** Inserts a subnet of `network` covering `cidr`, with Neutron's gateway and pool conventions. */
export async function insertSubnet(
  tx: EngineTx,
  network: ResourceRecord<unknown>,
  opts: { id?: string; name: string; cidr: Cidr },
): Promise<ResourceRecord<SubnetData>> {
  const { first, last, gateway } = hostRange(opts.cidr)
  return tx.create<SubnetData>('network.subnet', {
    ...(opts.id ? { id: opts.id } : {}),
    project: network.project,
    name: opts.name,
    parentId: network.id,
    data: {
      networkId: network.id,
      cidr: opts.cidr.text,
      ipVersion: 4,
      gatewayIp: formatIpv4(gateway),
      allocationPools: [{ start: formatIpv4(first), end: formatIpv4(last) }],
      enableDhcp: true,
      dnsNameservers: [],
    },
  })
}
