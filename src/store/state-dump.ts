import { sql, type Selectable } from 'kysely'
import type { FaultsTable, ResourcesTable, TransitionsTable } from './database.js'
import { scopeWithin, type Queries } from './queries.js'

/**
 * Every row of a store's state, as it is stored (JSON columns parsed), for
 * snapshots. The event log is history, not state, and is left out.
 */
export interface StateDump {
  /** Without `event_seq`: event numbers are this store's own (a loaded resource takes the number the history stood at). */
  resources: Array<Omit<Selectable<ResourcesTable>, 'data' | 'event_seq' | 'phase'> & { data: unknown; phase?: string | null | undefined }>
  transitions: Array<Omit<Selectable<TransitionsTable>, 'detail'> & { detail: unknown }>
  ip_allocations: Array<{ pool: string; address: string; owner_id: string }>
  refs: Array<{ from_id: string; to_id: string; relation: string }>
  counters: Array<{ key: string; value: number }>
  faults: Array<Omit<Selectable<FaultsTable>, 'rule'> & { rule: unknown }>
  /** The last resource id number handed out (a sequence on PostgreSQL, a counter on SQLite). */
  id_counter: number
}

const num = (v: unknown) => Number(v)

/**
 * Every row of the state, or (with `within`) those of one scope and the
 * scopes it holds: its resources with their transitions, addresses and
 * references, no fault rules and no counters (those belong to the whole).
 */
export async function dumpState(q: Queries, within?: string): Promise<StateDump> {
  const db = q.db
  const owned = () => db.selectFrom('resources').select('id').where(scopeWithin(within!))
  const resources = await (within === undefined ? db.selectFrom('resources').selectAll() : db.selectFrom('resources').selectAll().where(scopeWithin(within))).orderBy('seq').execute()
  const transitions = await (within === undefined ? db.selectFrom('transitions') : db.selectFrom('transitions').where('resource_id', 'in', owned())).selectAll().orderBy('id').execute()
  const faults = within === undefined ? await db.selectFrom('faults').selectAll().orderBy('id').execute() : []
  return {
    resources: resources.map(({ event_seq: _own, ...r }) => ({ ...r, seq: num(r.seq), version: num(r.version), created_at: num(r.created_at), updated_at: num(r.updated_at), data: JSON.parse(r.data) as unknown })),
    transitions: transitions.map((t) => ({
      ...t,
      id: num(t.id),
      due_at: num(t.due_at),
      expected_version: num(t.expected_version),
      created_at: num(t.created_at),
      detail: t.detail === null ? null : (JSON.parse(t.detail) as unknown),
    })),
    ip_allocations: await (within === undefined ? db.selectFrom('ip_allocations') : db.selectFrom('ip_allocations').where('owner_id', 'in', owned())).selectAll().orderBy('pool').orderBy('address').execute(),
    refs: await (within === undefined ? db.selectFrom('refs') : db.selectFrom('refs').where('from_id', 'in', owned())).selectAll().orderBy('from_id').orderBy('to_id').orderBy('relation').execute(),
    counters: within === undefined ? (await db.selectFrom('counters').selectAll().orderBy('key').execute()).map((c) => ({ key: c.key, value: num(c.value) })) : [],
    faults: faults.map((f) => ({
      ...f,
      id: num(f.id),
      remaining: f.remaining === null ? null : num(f.remaining),
      matched: num(f.matched),
      fired: num(f.fired),
      created_at: num(f.created_at),
      rule: JSON.parse(f.rule) as unknown,
    })),
    id_counter: await idCounter(q),
  }
}

const BATCH = 200

/**
 * Replaces the whole state with a dump, inside the caller's transaction:
 * every row keeps its id and sequence number, so cursors, references and
 * pending transitions stay valid. Identity sequences move past what was loaded.
 */
export async function loadState(q: Queries, dump: StateDump): Promise<void> {
  const db = q.db
  q.forgetResources()
  for (const table of ['transitions', 'ip_allocations', 'refs', 'faults', 'resources', 'counters'] as const) await db.deleteFrom(table).execute()
  // NOTE: what scopes use is counted again from the loaded resources; their own limits stay.
  await q.forgetQuotaUsage()
  // NOTE: event numbers go on from where they were (a watcher's number stays meaningful), but the history before the load is gone.
  await q.truncateEventLog()
  const { lastSeq } = await q.eventLog()
  await inBatches(dump.resources, (c) => db.insertInto('resources').values(c.map((r) => ({ ...r, phase: r.phase ?? null, data: JSON.stringify(r.data), event_seq: lastSeq }))).execute())
  await inBatches(dump.transitions, (c) =>
    db
      .insertInto('transitions')
      .values(c.map((t) => ({ ...t, detail: t.detail == null ? null : JSON.stringify(t.detail) })))
      .execute(),
  )
  await inBatches(dump.ip_allocations, (c) => db.insertInto('ip_allocations').values(c).execute())
  await inBatches(dump.refs, (c) => db.insertInto('refs').values(c).execute())
  await inBatches(dump.counters, (c) => db.insertInto('counters').values(c).execute())
  await inBatches(dump.faults, (c) => db.insertInto('faults').values(c.map((f) => ({ ...f, rule: JSON.stringify(f.rule) }))).execute())
  if (q.dialect === 'postgres') {
    for (const [table, column] of [['resources', 'seq'], ['transitions', 'id'], ['faults', 'id']] as const) {
      await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(db)
    }
    await advanceIdCounter(q, dump.id_counter)
  }
}

/** Writes rows a batch at a time (a statement's parameters are bounded). */
async function inBatches<R>(rows: readonly R[], write: (chunk: R[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await write(rows.slice(i, i + BATCH))
}

/** Moves the resource id counter past `used` (ids a load brought in), never back. */
async function advanceIdCounter(q: Queries, used: number): Promise<void> {
  if (q.dialect === 'postgres') {
    // NOTE: one statement: a create elsewhere meanwhile may take a number, never be rewound.
    await sql`select setval('resource_ids', greatest(${used + 1}, (select case when is_called then last_value + 1 else last_value end from resource_ids)), false)`.execute(q.db)
  } else if (used > (await idCounter(q))) {
    await q.db.insertInto('counters').values({ key: 'id', value: used }).onConflict((oc) => oc.column('key').doUpdateSet({ value: used })).execute()
  }
}

/**
 * Loads a dump of one scope in place of what that scope holds now, inside the
 * caller's transaction, leaving every other scope as it is: the removed
 * state goes (as deleteScopeState), the dump's rows come in. Resources keep
 * their ids but take new positions (`seq`) after every other scope's;
 * transitions take new ids, returned with their due times for the runner.
 */
export async function loadScopedState(q: Queries, scope: string, dump: StateDump): Promise<Array<{ id: number; dueAt: number }>> {
  const db = q.db
  await deleteScopeState(q, { within: scope })
  const { lastSeq } = await q.eventLog()
  await inBatches(dump.resources, (c) => db.insertInto('resources').values(c.map(({ seq: _own, ...r }) => ({ ...r, phase: r.phase ?? null, data: JSON.stringify(r.data), event_seq: lastSeq }))).execute())
  const scheduled: Array<{ id: number; dueAt: number }> = []
  await inBatches(dump.transitions, async (c) => {
    const rows = await db.insertInto('transitions').values(c.map(({ id: _own, ...t }) => ({ ...t, detail: t.detail == null ? null : JSON.stringify(t.detail) }))).returning(['id', 'due_at']).execute()
    for (const r of rows) scheduled.push({ id: num(r.id), dueAt: num(r.due_at) })
  })
  await inBatches(dump.ip_allocations, (c) => db.insertInto('ip_allocations').values(c).execute())
  await inBatches(dump.refs, (c) => db.insertInto('refs').values(c).execute())
  // NOTE: ids handed out from now on must not be ones the dump brought in.
  await advanceIdCounter(q, dump.id_counter)
  return scheduled
}

/**
 * Deletes the resources of one scope and those it holds, or of every scope
 * but those kept (the shared scope, and the scopes whose key starts with one
 * of `exceptPrefixes`: identity's domains), with the addresses, references
 * and transitions they hold; all of them, the event history too.
 */
export async function deleteScopeState(q: Queries, scope: { within: string } | { except: string; exceptPrefixes?: readonly string[] }): Promise<number> {
  const db = q.db
  q.forgetResources()
  const within = 'within' in scope ? scope.within : undefined
  const except = 'except' in scope ? scope.except : ''
  const prefixes = 'except' in scope ? (scope.exceptPrefixes ?? []) : []
  const notKept = sql<boolean>`(project != ${except}${sql.join(
    prefixes.map((p) => sql` and substr(project, 1, ${p.length}) != ${p}`),
    sql``,
  )})`
  const owned = () => {
    const base = db.selectFrom('resources').select('id')
    return within === undefined ? base.where(notKept) : base.where(scopeWithin(within))
  }
  await db.deleteFrom('ip_allocations').where('owner_id', 'in', owned()).execute()
  await db.deleteFrom('refs').where((eb) => eb.or([eb('from_id', 'in', owned()), eb('to_id', 'in', owned())])).execute()
  await db.deleteFrom('transitions').where('resource_id', 'in', owned()).execute()
  // NOTE: a full reset starts the history over; a scope's reset keeps it, and records each removal (see resetState).
  if (within === undefined) await db.deleteFrom('events').execute()
  const res = await (within === undefined ? db.deleteFrom('resources').where(notKept) : db.deleteFrom('resources').where(scopeWithin(within))).executeTakeFirst()
  return Number(res.numDeletedRows)
}

async function idCounter(q: Queries): Promise<number> {
  if (q.dialect === 'postgres') {
    const { rows } = await sql<{ last_value: string; is_called: boolean }>`select last_value, is_called from resource_ids`.execute(q.db)
    // NOTE: not called: last_value is the next to hand out (after a setval(..., false)), so one less has been.
    return rows[0]!.is_called ? Number(rows[0]!.last_value) : Number(rows[0]!.last_value) - 1
  }
  const row = await q.db.selectFrom('counters').select('value').where('key', '=', 'id').executeTakeFirst()
  return row ? Number(row.value) : 0
}
