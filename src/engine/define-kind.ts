import type { TSchema } from 'typebox'
import type { ResourceRecord } from '../store/records.js'
import type { Queries } from '../store/queries.js'
import type { EngineTx } from './engine-tx.js'
import { checkPhases, type PhasedOperation } from './phases.js'
import type { QuotaAmounts } from './quotas.js'
import type { ScopeType } from './scope.js'
import type { TimingDeclaration } from './timing.js'

/**
 * One operation of a kind's state machine, as data.
 *
 * - `from`: the states it may start in (`'*'`: any state but its own `via`).
 * - `via`: the transitional state it shows while it runs; without one it is
 *   applied at once.
 * - `to`: where it ends; `null` means the resource is gone.
 * - `failTo`: where it ends when it fails (drawn from the failure rate).
 * - `timing`: latency and failure rate per profile.
 * - `phases`: the timed steps it passes through, each with its own sub-state
 *   and, if it likes, its own state, timing and failure (see PhaseDef).
 */
export interface OperationDef extends PhasedOperation {
  from?: readonly string[] | '*'
  via?: string
  to: string | null
  failTo?: string
  timing?: TimingDeclaration
  /**
   * Something that happens to the resource beside what it is doing (a pod
   * crashing), planted by a fault rule's `crashAfterMs`: starting another
   * operation does not cancel it, and when due it applies if the resource
   * is then in one of its `from` states, ending in its `failTo` state.
   */
  background?: true
}

/** Code a kind runs inside the engine's transaction; the state machine itself is data. */
export interface KindHooks<D> {
  /** Builds and inserts a new resource from validated engine input. */
  create?(tx: EngineTx, project: string, input: Record<string, unknown>): Promise<ResourceRecord<D>>
  /** Named actions (stop, attach...), each starting an operation. */
  actions?: Record<string, (tx: EngineTx, res: ResourceRecord<D>, args: Record<string, unknown>) => Promise<ResourceRecord<D>>>
  /** Refuses a delete (ConflictError) while the resource is in use. */
  beforeDelete?(tx: EngineTx, res: ResourceRecord<D>): Promise<void>
  /** Data to change when an operation completes, before the new state is written. */
  onComplete?: Record<string, (tx: EngineTx, res: ResourceRecord<D>) => Promise<Partial<D> | void>>
  /**
   * The state an operation ends in when it is not its `to`, decided as it
   * completes (a pod claimed while it was still provisioning ends `used`,
   * not `free`); undefined: its `to`. Must be one of the kind's states.
   */
  endState?: Record<string, (res: ResourceRecord<D>) => string | undefined>
  /** Data to change when an operation fails, before the failure state is written. */
  onFail?: Record<string, (tx: EngineTx, res: ResourceRecord<D>) => Promise<Partial<D> | void>>
  /** Releases what the resource held (addresses, ports, attachments) as it goes. */
  onGone?(tx: EngineTx, res: ResourceRecord<D>): Promise<void>
  /**
   * Restores what a resource keeps outside its record (a pool's capacity as
   * its scope's quota), as it comes in with a snapshot.
   */
  onLoaded?(tx: EngineTx, res: ResourceRecord<D>): Promise<void>
  /** Rules an update must keep beyond the data schema (a name unique in its scope); throws to refuse it. */
  beforeUpdate?(tx: EngineTx, res: ResourceRecord<D>, change: { name: string; data: D }): Promise<void>
}

/** What the update verb may change on a kind. */
export interface UpdatableDef {
  /** Whether the name may change (default true). */
  name?: boolean
  /** The data fields that may change (default none): descriptive ones, not those the lifecycle or other rules own. */
  data?: readonly string[]
}

export interface KindDef<D = Record<string, unknown>> {
  /** `service.kind`, e.g. `compute.server`. */
  id: string
  /** Names users may use for it in settings (`vm`, `server`). */
  names: readonly string[]
  /** How messages call it (`security group`); default its first name. */
  label?: string
  /** The schema of its `data`; what a loaded snapshot is checked against. */
  data: TSchema
  states: readonly string[]
  operations: Record<string, OperationDef>
  /** The type of scope its resources live in (default `project`): see ScopeType. */
  scope?: ScopeType
  /** Whether resources of the shared scope (flavors, images, the public network) are visible to every project. */
  shared?: boolean
  /** What `engine.update` may change; by default the name only. */
  updatable?: UpdatableDef
  /** The data field holding its labels (a map of strings), which lists select on with a label selector (Kubernetes `metadata.labels`). */
  labels?: string
  /** Top-level data fields lists may sort by (Cinder `?sort=size`): required strings or numbers, so every row has a value to page on. */
  sortable?: readonly string[]
  /** Top-level data fields lists may filter on by equality (Neutron `?device_id=`, Nova `?image=`). */
  filters?: readonly string[]
  /**
   * Filters looked up often enough to deserve an index (a server's ports by
   * `deviceId`, a user's role assignments): each gets one, partial on this
   * kind, so no other kind's writes pay for it.
   */
  indexed?: readonly string[]
  /** What a resource of this kind holds of its scope's quotas while it exists (`{ instances: 1, cores: 2 }`); reads nothing but its record and what it names. */
  quota?: (res: ResourceRecord<D>, q: Queries) => QuotaAmounts | Promise<QuotaAmounts>
  /** Whether a name is unique in its scope (Kubernetes names per namespace, Keystone project names per domain). */
  uniqueNames?: boolean
  hooks: KindHooks<D>
}

/**
 * Declares a kind once; faces, timing settings and the SDK derive from it.
 * Checks the declaration so a typo in a state name fails at start-up.
 *
 * @example
 * export const container = defineKind({ id: 'container.container', names: ['container'], data: ContainerDataSchema,
 *   states: ['creating', 'running', 'error'], operations: { create: { via: 'creating', to: 'running', failTo: 'error' } }, hooks: {} })
 */
export function defineKind<D>(def: KindDef<D>): KindDef<D> {
  const states = new Set(def.states)
  for (const [name, op] of Object.entries(def.operations)) {
    for (const s of [op.via, op.to, op.failTo, ...(op.from === '*' || !op.from ? [] : op.from)]) {
      if (s != null && !states.has(s)) throw new Error(`${def.id}.${name} names unknown state '${s}'`)
    }
    if (op.failTo && !op.via && !op.background) throw new Error(`${def.id}.${name} can fail only if it is asynchronous (has via) or happens in the background`)
    if (op.background && (op.via || !Array.isArray(op.from) || !op.failTo)) throw new Error(`${def.id}.${name}: a background operation names the states it happens in (from) and its failTo, and has no via`)
    checkPhases(`${def.id}.${name}`, op, states)
  }
  const properties = (def.data as { properties?: Record<string, unknown> }).properties ?? {}
  for (const [what, fields] of [['updatable', def.updatable?.data], ['filters', def.filters], ['labels', def.labels === undefined ? [] : [def.labels]]] as const) {
    for (const field of fields ?? []) if (!(field in properties)) throw new Error(`${def.id}.${what} names unknown data field '${field}'`)
  }
  for (const field of def.indexed ?? []) if (!def.filters?.includes(field)) throw new Error(`${def.id}.indexed names '${field}', which is not one of its filters`)
  const required = new Set((def.data as { required?: string[] }).required ?? [])
  for (const field of def.sortable ?? []) {
    const type = (properties[field] as { type?: unknown } | undefined)?.type
    if (!required.has(field) || !['string', 'integer', 'number'].includes(String(type))) {
      throw new Error(`${def.id}.sortable names '${field}', which is not a required string or number of its data`)
    }
  }
  return def
}

/** Whether a data field of a kind holds numbers (sorted as numbers, not as text). */
export function isNumericField(def: Pick<KindDef, 'data'>, field: string): boolean {
  const type = ((def.data as { properties?: Record<string, { type?: unknown }> }).properties?.[field])?.type
  return type === 'integer' || type === 'number'
}

/** The label of a kind in messages (`vm`, `volume`). */
export function labelOf(def: Pick<KindDef, 'id' | 'names' | 'label'>): string {
  return def.label ?? def.names[0] ?? def.id
}

/** The kind's background operation (a pod's crash), which fault rules plant with `crashAfterMs`; undefined when it has none. */
export function crashOperationOf(def: Pick<KindDef, 'operations'>): string | undefined {
  // NOTE: asked on every operation begun; the answer is fixed per kind.
  let found = crashOps.get(def)
  if (found === undefined) {
    found = Object.entries(def.operations).find(([, op]) => op.background)?.[0] ?? null
    crashOps.set(def, found)
  }
  return found ?? undefined
}
const crashOps = new WeakMap<object, string | null>()

/**
 * Where an operation ends when it fails: its declared `failTo`, or the kind's
 * `error` state when a fault rule fails an operation that never fails by itself;
 * a phase may name its own (`failTo` of the phase it failed in).
 */
export function failStateOf(def: Pick<KindDef, 'states'>, op: OperationDef, phase?: string | null): string | undefined {
  const inPhase = phase ? op.phases?.find((p) => p.name === phase)?.failTo : undefined
  return inPhase ?? op.failTo ?? (def.states.includes('error') ? 'error' : undefined)
}
