import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

/** The parts of a snapshot (GET /_mockcloud/snapshot) the generator reads and writes. */
export interface SnapshotJson {
  format: string
  version: number
  clock_ms: number
  taken_at: string
  state: {
    resources: ResourceRow[]
    transitions: unknown[]
    ip_allocations: Array<{ pool: string; address: string; owner_id: string }>
    refs: Array<{ from_id: string; to_id: string; relation: string }>
    counters: unknown[]
    faults: unknown[]
    id_counter: number
  }
}

export interface ResourceRow {
  seq: number
  id: string
  kind: string
  project: string
  name: string
  status: string
  parent_id: string | null
  version: number
  data: Record<string, unknown>
  created_at: number
  updated_at: number
}

/** An environment (network) of the template, with its subnet: room for ~65,000 addresses. */
export interface EnvironmentSlot {
  networkId: string
  subnetId: string
  /** The first two octets of its /16, e.g. `10.3`. */
  prefix: string
}

/** Addresses handed out per /16 at most (of 65,533), leaving room for the template's own. */
export const VMS_PER_ENVIRONMENT = 60_000

/**
 * Writes a snapshot holding the template's state plus `vms` more VMs, each
 * with its port, address and security-group reference, copied from the
 * template's one built VM (as the engine wrote them) with fresh ids, names
 * and addresses: `2 * vms` more resources. Streamed to `path`, so a large
 * one never sits in memory as one string.
 */
export async function writeGeneratedSnapshot(path: string, template: SnapshotJson, environments: EnvironmentSlot[], vms: number): Promise<void> {
  const st = template.state
  const vmTpl = st.resources.find((r) => r.kind === 'compute.server' && r.status === 'active')
  const portTpl = vmTpl && st.resources.find((r) => r.id === vmTpl.data['portId'])
  if (!vmTpl || !portTpl) throw new Error('the template snapshot needs one active VM with its port')
  if (vms > environments.length * VMS_PER_ENVIRONMENT) throw new Error(`${vms} VMs need ${Math.ceil(vms / VMS_PER_ENVIRONMENT)} environments, got ${environments.length}`)
  const taken = new Set(st.ip_allocations.map((a) => `${a.pool} ${a.address}`))
  const vmRefs = st.refs.filter((r) => r.from_id === vmTpl.id)

  const out = createWriteStream(path)
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain')
  }
  const list = async <T>(name: string, existing: T[], more: (emit: (row: T) => Promise<void>) => Promise<void>, last = false) => {
    await write(`"${name}":[`)
    let first = true
    const emit = async (row: T) => {
      await write((first ? '' : ',') + JSON.stringify(row))
      first = false
    }
    for (const row of existing) await emit(row)
    await more(emit)
    await write(last ? ']' : '],')
  }

  // One pass over the new VMs per list, each drawing the same ids and addresses.
  const plan = planVms(environments, vms, taken)
  let seq = Math.max(0, ...st.resources.map((r) => r.seq))
  await write(`{"format":${JSON.stringify(template.format)},"version":${template.version},"clock_ms":${template.clock_ms},"taken_at":${JSON.stringify(template.taken_at)},"state":{`)
  await list<ResourceRow>('resources', st.resources, async (emit) => {
    for (const p of plan) {
      const mac = `fa:16:3e:${hex(p.n >> 16)}:${hex(p.n >> 8)}:${hex(p.n)}`
      await emit({
        ...portTpl,
        seq: ++seq,
        id: p.portId,
        parent_id: p.env.networkId,
        data: { ...portTpl.data, networkId: p.env.networkId, subnetId: p.env.subnetId, ipAddress: p.address, macAddress: mac, deviceId: p.vmId },
      })
      await emit({
        ...vmTpl,
        seq: ++seq,
        id: p.vmId,
        name: `mem-${p.n}`,
        parent_id: p.env.networkId,
        data: { ...vmTpl.data, networkId: p.env.networkId, portId: p.portId, ipAddress: p.address },
      })
    }
  })
  await list('transitions', st.transitions, async () => undefined)
  await list('ip_allocations', st.ip_allocations, async (emit) => {
    for (const p of plan) await emit({ pool: p.env.subnetId, address: p.address, owner_id: p.portId })
  })
  await list('refs', st.refs, async (emit) => {
    for (const p of plan) for (const r of vmRefs) await emit({ ...r, from_id: p.vmId })
  })
  await list('counters', st.counters, async () => undefined)
  await list('faults', st.faults, async () => undefined)
  await write(`"id_counter":${st.id_counter}}}\n`)
  out.end()
  await once(out, 'finish')
}

interface PlannedVm {
  n: number
  env: EnvironmentSlot
  vmId: string
  portId: string
  address: string
}

function planVms(environments: EnvironmentSlot[], vms: number, taken: Set<string>): PlannedVm[] {
  const plan: PlannedVm[] = []
  for (const env of environments) {
    // NOTE: host numbers 2..65534 of the /16 (.1 is the gateway), skipping what the template holds.
    for (let host = 2; host < 65_535 && plan.length < vms && plan.length < (environments.indexOf(env) + 1) * VMS_PER_ENVIRONMENT; host++) {
      const address = `${env.prefix}.${host >> 8}.${host & 255}`
      if (taken.has(`${env.subnetId} ${address}`)) continue
      plan.push({ n: plan.length, env, vmId: randomUUID(), portId: randomUUID(), address })
    }
  }
  if (plan.length < vms) throw new Error(`room for only ${plan.length} of ${vms} VMs in ${environments.length} environments`)
  return plan
}

const hex = (n: number) => (n & 255).toString(16).padStart(2, '0')
