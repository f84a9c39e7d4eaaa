import { SeededRandom } from '../random/seeded-random.js'
import type { EngineTx } from './engine-tx.js'
import { SEEDED_FLAVORS, type FlavorData } from './kinds/flavor.kind.js'
import { SEEDED_IMAGES, type ImageData } from './kinds/image.kind.js'
import type { NetworkData } from './kinds/network.kind.js'
import { insertSubnet } from './kinds/subnet.ops.js'
import { parseCidr } from './ipv4.js'
import { SHARED_PROJECT } from './scope.js'

// NOTE: seeded ids do not depend on --seed, so users can write them into their own config.
const fixed = new SeededRandom('mockcloud-seed-data')

export const PUBLIC_NETWORK_ID = fixed.uuid('network', 'public')
export const DEFAULT_PUBLIC_CIDR = '41.100.0.0/16'
const SEED_VERSION = '1'

/**
 * Creates what every cloud starts with, once per store: devstack's flavors, a
 * few public images and the external `public` network whose subnet floating
 * IPs come from. Survives resets (it lives in the shared scope).
 */
export async function seedSharedResources(tx: EngineTx, opts: { publicCidr?: string } = {}): Promise<boolean> {
  if ((await tx.q.getMeta('seed-version')) === SEED_VERSION) return false
  for (const f of SEEDED_FLAVORS) {
    await tx.create<FlavorData>('compute.flavor', {
      id: f.id,
      project: SHARED_PROJECT,
      name: f.name,
      data: { vcpus: f.vcpus, ramMb: f.ramMb, diskGb: f.diskGb, ephemeralGb: 0, swapMb: 0, isPublic: true, description: null },
    })
  }
  for (const img of SEEDED_IMAGES) {
    await tx.create<ImageData>('image.image', {
      id: fixed.uuid('image', img.name),
      project: SHARED_PROJECT,
      name: img.name,
      data: {
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        minDiskGb: 0,
        minRamMb: 0,
        sizeBytes: img.sizeBytes,
        visibility: 'public',
        osDistro: img.osDistro,
        osVersion: img.osVersion,
        checksum: fixed.hex(32, 'image-checksum', img.name),
      },
    })
  }
  const cidr = parseCidr(opts.publicCidr ?? DEFAULT_PUBLIC_CIDR)
  if (!cidr) throw new RangeError(`public network cidr '${opts.publicCidr}' is not an IPv4 CIDR`)
  const subnetId = fixed.uuid('subnet', 'public')
  const network = await tx.create<NetworkData>('network.network', {
    id: PUBLIC_NETWORK_ID,
    project: SHARED_PROJECT,
    name: 'public',
    data: { cidr: cidr.text, subnetId, external: true, shared: true, mtu: 1500, description: 'External network for floating IPs' },
  })
  await insertSubnet(tx, network, { id: subnetId, name: 'public-subnet', cidr })
  await tx.q.setMeta('seed-version', SEED_VERSION)
  return true
}
