import type { Generated } from 'kysely'

/**
 * The tables every store holds, whatever the database. Times are milliseconds
 * since the epoch of the engine's clock; `data` columns hold JSON text.
 */
export interface Database {
  resources: ResourcesTable
  transitions: TransitionsTable
  events: EventsTable
  ip_allocations: IpAllocationsTable
  refs: RefsTable
  counters: CountersTable
  meta: MetaTable
  faults: FaultsTable
  workers: WorkersTable
  event_log: EventLogTable
  quotas: QuotasTable
}

export interface ResourcesTable {
  /** Insertion order; list cursors point into it, so pages stay stable under inserts. */
  seq: Generated<number>
  id: string
  kind: string
  project: string
  name: string
  status: string
  parent_id: string | null
  version: number
  data: string
  created_at: number
  updated_at: number
  /** The phase of the operation it is in (docs/decisions/0009-phases.md); null between operations. */
  phase: string | null
  /** The number of the last event that changed it; set as its transaction commits. */
  event_seq: Generated<number>
}

/** A transition due at a given time: the scheduler's queue, durable with the state. */
export interface TransitionsTable {
  id: Generated<number>
  resource_id: string
  operation: string
  due_at: number
  /** The resource version this transition was scheduled against; a newer one drops it. */
  expected_version: number
  outcome: string
  detail: string | null
  created_at: number
}

export interface EventsTable {
  /** In commit order: from `event_log` on PostgreSQL, the table's AUTOINCREMENT on SQLite. */
  seq: Generated<number>
  at: number
  project: string
  kind: string
  resource_id: string
  name: string
  type: string
  operation: string | null
  from_status: string | null
  to_status: string | null
  version: number
  /** The resource after the change (before it, for a delete) as JSON; null on events recorded before migration 005. */
  resource: string | null
}

/** One row (id 1): the last event number handed out, and the last one retention pruned. */
export interface EventLogTable {
  id: number
  last_seq: number
  floor: number
}

export interface IpAllocationsTable {
  pool: string
  address: string
  owner_id: string
}

export interface RefsTable {
  from_id: string
  to_id: string
  relation: string
}

export interface CountersTable {
  key: string
  value: number
}

export interface MetaTable {
  key: string
  value: string
}

/** A fault rule: `rule` holds its match and effect as JSON; counts are columns so claims are atomic. */
export interface FaultsTable {
  id: Generated<number>
  kind: string
  operation: string
  rule: string
  /** Firings left; null when the rule has no count. */
  remaining: number | null
  matched: number
  fired: number
  created_at: number
}

/** A worker's heartbeat: real milliseconds (the database's clock on PostgreSQL), not emulated time. */
export interface WorkersTable {
  node: string
  seen_at: number
  /** Set when the worker stopped cleanly: it no longer counts as alive. */
  stopped_at: number | null
}

/** A scope's quotas: its own limits and its usage (null: not counted yet), both JSON objects keyed by quota name. */
export interface QuotasTable {
  scope: string
  usage: string | null
  limits: string
}
