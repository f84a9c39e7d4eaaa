import type { KindHooks } from '../define-kind.js'
import { ConflictError } from '../errors.js'
import { requireServerIn } from './server.ops.js'
import type { CreateVolumeInput, VolumeData } from './volume.kind.js'

const MAX_ATTACHED = 25 // vdb..vdz

export const volumeHooks: KindHooks<VolumeData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateVolumeInput
    return tx.create<VolumeData>('volume.volume', {
      project,
      name: input.name,
      data: {
        sizeGb: input.sizeGb,
        description: input.description ?? '',
        volumeType: input.volumeType ?? 'standard',
        bootable: false,
        vmId: null,
        device: null,
        attachedAt: null,
        fault: null,
      },
    })
  },

  actions: {
    async attach(tx, volume, args) {
      const vm = await requireServerIn(tx, String(args['vmId']), volume.project, ['active', 'stopped'], `volume ${volume.id}`)
      if (volume.data.vmId) throw new ConflictError(`volume ${volume.id} is already attached to server ${volume.data.vmId}`)
      const used = new Set<string>()
      for (const otherId of await tx.q.referrers(vm.id, 'attached-to')) {
        const other = await tx.q.getResource(otherId)
        if (typeof other?.data['device'] === 'string') used.add(other.data['device'])
      }
      if (used.size >= MAX_ATTACHED) throw new ConflictError(`server ${vm.id} already has ${MAX_ATTACHED} volumes attached`)
      let letter = 'b'
      while (used.has(`/dev/vd${letter}`)) letter = String.fromCharCode(letter.charCodeAt(0) + 1)
      const next = await tx.begin(volume, 'attach', { vmId: vm.id, device: `/dev/vd${letter}`, attachedAt: tx.now })
      await tx.q.addRef(volume.id, vm.id, 'attached-to')
      return next
    },
    async detach(tx, volume) {
      if (!volume.data.vmId && volume.status === 'available') throw new ConflictError(`volume ${volume.id} is not attached`)
      return tx.begin(volume, 'detach')
    },
  },

  async beforeDelete(_tx, volume) {
    if (volume.data.vmId) throw new ConflictError(`volume ${volume.id} is attached to vm ${volume.data.vmId}; detach it first`)
  },

  onComplete: {
    async detach(tx, volume) {
      await tx.q.removeRefsFrom(volume.id, 'attached-to')
      return { vmId: null, device: null, attachedAt: null }
    },
  },
}
