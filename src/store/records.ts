import type { LabelRequirement } from '../engine/label-selector.js'

/** A resource as the engine sees it: the row with its JSON data parsed. */
export interface ResourceRecord<D = Record<string, unknown>> {
  seq: number
  id: string
  kind: string
  project: string
  name: string
  status: string
  /** The phase of the operation it is in (Nova's task_state); null between operations or in one without phases. */
  phase: string | null
  parentId: string | null
  version: number
  data: D
  createdAt: number
  updatedAt: number
  /**
   * The number of the last event that changed it (what a Kubernetes face shows
   * as its resourceVersion); 0 on a record its own transaction has not yet
   * committed, or on one no event has changed since it was loaded from a snapshot.
   */
  eventSeq: number
}

/** A transition waiting in the queue for its due time. */
export interface TransitionRecord {
  id: number
  resourceId: string
  operation: string
  dueAt: number
  expectedVersion: number
  /** `complete` moves to the operation's target; `fail` to its failure state. */
  outcome: 'complete' | 'fail'
  detail: Record<string, unknown> | null
  createdAt: number
}

/** One state change, as recorded in the event log. */
export interface EventRecord {
  seq: number
  at: number
  project: string
  kind: string
  resourceId: string
  name: string
  type: 'created' | 'changed' | 'deleted'
  operation: string | null
  fromStatus: string | null
  toStatus: string | null
  version: number
  /** The resource as it is after the change (as it was, for a delete); null only on events recorded before mockcloud kept it. */
  resource: ResourceRecord | null
}

/** A resource column a list may be sorted by. */
export type SortColumn = 'name' | 'created_at' | 'updated_at' | 'status'

/** What a list asks the store for; the cursor is the last row already seen (its sort value and `seq`). */
export interface ResourceQuery {
  kind: string
  /** The scopes to list; undefined lists every scope (an admin's view). */
  projects?: readonly string[] | undefined
  /** Only resources in this scope or in one it holds (every namespace of a cluster). */
  within?: string | undefined
  status?: string | undefined
  name?: string | undefined
  parentId?: string | undefined
  /** Requirements on the labels map a kind keeps in a data field (Kubernetes label selectors; the field a declared name). */
  labels?: { field: string; requirements: readonly LabelRequirement[] } | undefined
  /** Equality on top-level data fields (names the engine checked against the kind's declaration). */
  data?: ReadonlyArray<{ field: string; value: string | number | boolean | null }> | undefined
  /** Default: insertion order (`seq`). Ties are broken by `seq`, in the same direction. */
  /** A column, or a declared data field (`numeric`: compared as a number); never null, so a cursor can go on from any row. */
  sort?: { column: SortColumn; desc: boolean } | { dataField: string; numeric: boolean; desc: boolean } | undefined
  afterSeq?: number | undefined
  /** With `sort`: the sort value of the last row seen (with `afterSeq`, its seq). */
  afterValue?: string | number | undefined
  limit: number
}

/** A fault rule as stored: what it matches and does is the engine's JSON (`FaultRule`). */
export interface FaultRecord {
  id: number
  kind: string
  operation: string
  rule: Record<string, unknown>
  remaining: number | null
  matched: number
  fired: number
  createdAt: number
}
