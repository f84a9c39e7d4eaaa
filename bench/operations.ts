import type { Target } from './load.js'
import { createEnvironment, vmBody, waitBuilt } from './populate.js'

/** One operation compared between mockcloud and the bare server. */
export interface Operation {
  name: string
  /** Minimum acceptable mockcloud ÷ bare throughput; none where the brief sets none. */
  target: number | null
  /** Called before each mockcloud run (a create run gets a fresh environment). */
  mock(): Promise<Target>
  bare: Target
  /** Called after each mockcloud run, so its background work does not leak into the next run. */
  settle?(): Promise<void>
}

export interface OperationContext {
  mockBase: string
  bareBase: string
  /** A populated VM, for GET by id. */
  vmId: string
  /** An existing environment id, so the bare create body has the same length as mockcloud's. */
  sampleEnvId: string
  /** How many VMs the project holds, for the list operation's label. */
  listVms: number
}

/** The three operations of the brief, in the order they run (reads first, so creates do not disturb them). */
export function operations(c: OperationContext): Operation[] {
  const get = (base: string): Target => ({ method: 'GET', url: `${base}/api/v1/vms/${c.vmId}` })
  const list = (base: string): Target => ({ method: 'GET', url: `${base}/api/v1/vms` })
  let runs = 0
  return [
    { name: 'GET /api/v1/vms/{id}', target: 0.6, mock: async () => get(c.mockBase), bare: get(c.bareBase) },
    { name: `GET /api/v1/vms (1 page, ${c.listVms} VMs)`, target: null, mock: async () => list(c.mockBase), bare: list(c.bareBase) },
    {
      name: 'POST /api/v1/vms',
      target: 0.3,
      // NOTE: a fresh environment per run keeps each /16 far from full, so address allocation stays cheap and never 409s.
      mock: async () => {
        const env = await createEnvironment(c.mockBase, `bench-create-${++runs}`)
        return { method: 'POST', url: `${c.mockBase}/api/v1/vms`, body: JSON.stringify(vmBody(env, 'bench-create')) }
      },
      bare: { method: 'POST', url: `${c.bareBase}/api/v1/vms`, body: JSON.stringify(vmBody(c.sampleEnvId, 'bench-create')) },
      settle: () => waitBuilt(c.mockBase),
    },
  ]
}
