import type { KindHooks } from '../define-kind.js'
import { ValidationError } from '../errors.js'
import type { ContainerData, CreateContainerInput } from './container.kind.js'

// NOTE: the shape of a Docker image reference: [registry[:port]/]path[:tag][@digest].
const IMAGE_REF = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/

export const containerHooks: KindHooks<ContainerData> = {
  async create(tx, project, raw) {
    const input = raw as unknown as CreateContainerInput
    if (!IMAGE_REF.test(input.image)) throw new ValidationError('image', `image: '${input.image}' is not an image reference (e.g. nginx:1.27 or ghcr.io/org/app:v1)`)
    return tx.create<ContainerData>('container.container', {
      project,
      name: input.name,
      data: {
        image: input.image,
        command: input.command ?? [],
        env: input.env ?? {},
        ports: input.ports ?? [],
        startedAt: null,
        stoppedAt: null,
        exitCode: null,
        fault: null,
      },
    })
  },

  actions: {
    stop: (tx, c) => tx.begin(c, 'stop'),
    start: (tx, c) => tx.begin(c, 'start'),
  },

  onComplete: {
    create: async (tx) => ({ startedAt: tx.now }),
    start: async (tx) => ({ startedAt: tx.now, stoppedAt: null, exitCode: null }),
    stop: async (tx) => ({ stoppedAt: tx.now, exitCode: 0 }),
  },
}
