import { sql, type Kysely, type QueryResult, type Selectable, type Transaction } from 'kysely'
import type { Database, EventsTable, FaultsTable, ResourcesTable, TransitionsTable } from './database.js'
import { QueryTemplate, type Arg, type DirectReader, type TxExecutor } from './query-template.js'
import { dataJson, parseData, resourceJson } from './data-json.js'
import { estimateBytesFromData, type ResourceCache } from './resource-cache.js'
import type { TouchedRecords } from './touched-records.js'
import type { StoreDialect } from './store.js'
import { LABEL_KEY, type LabelRequirement } from '../engine/label-selector.js'
import type { EventRecord, FaultRecord, ResourceQuery, ResourceRecord, TransitionRecord } from './records.js'

type Db = Kysely<Database> | Transaction<Database>

// The queries every request makes, compiled once (see QueryTemplate).
/** A new resource's columns, arguments 0 to 10 (insertResource). */
function resourceValues(arg: Arg) {
  return {
    id: arg(0),
    kind: arg(1),
    project: arg(2),
    name: arg(3),
    status: arg(4),
    parent_id: arg(5),
    version: arg(6),
    data: arg(7),
    created_at: arg(8),
    updated_at: arg(9),
    phase: arg(10),
  }
}

/** What a write changes, arguments 0 to 5 and 8 (updateResource). */
function resourceChange(arg: Arg) {
  return { name: arg(0), status: arg(1), parent_id: arg(2), version: arg(3), data: arg(4), updated_at: arg(5), phase: arg(8) }
}

/** What a write that keeps name and parent changes, arguments 0 to 3 and 6 (updateResourceState). */
function stateChange(arg: Arg) {
  return { status: arg(0), version: arg(1), data: arg(2), updated_at: arg(3), phase: arg(6) }
}

/** An event's columns but its number, arguments 0 to 10 (eventColumns). */
function eventValues(arg: Arg) {
  return {
    at: arg(0),
    project: arg(1),
    kind: arg(2),
    resource_id: arg(3),
    name: arg(4),
    type: arg(5),
    operation: arg(6),
    from_status: arg(7),
    to_status: arg(8),
    version: arg(9),
    resource: arg(10),
  }
}

/**
 * SQLite: the number the `ahead`-th event its transaction has yet to append
 * will take. Events number by AUTOINCREMENT, whose last number is
 * `sqlite_sequence`'s, and one transaction writes at a time, appending its
 * events as it ends: so a write can store the number of the event that
 * records it (what the trigger of migration 005 set with a second write of
 * the row, a third of an event insert's cost; migration 008 drops it there).
 */
function nextEventSeq(ahead: unknown) {
  return sql<number>`coalesce((select seq from sqlite_sequence where name = 'events'), 0) + ${ahead}`
}

const Q = {
  quotaRow: new QueryTemplate((db, arg) => db.selectFrom('quotas').select(['usage', 'limits']).where('scope', '=', arg(0))),
  quotaRowForUpdate: new QueryTemplate((db, arg) => db.selectFrom('quotas').select(['usage', 'limits']).where('scope', '=', arg(0)).forUpdate()),
  saveQuotaUsage: new QueryTemplate((db, arg) => db.updateTable('quotas').set({ usage: arg(0) }).where('scope', '=', arg(1))),
  getResource: new QueryTemplate((db, arg) => db.selectFrom('resources').selectAll().where('id', '=', arg(0))),
  // NOTE: two project slots (the same one twice when there is one): one SQL text for both
  // uses, and a literal limit, which SQLite plans much faster than a bound one. One per kind (see kindLit).
  findByName: perKind((kind) =>
    new QueryTemplate((db, arg) =>
      db
        .selectFrom('resources')
        .selectAll()
        .where('kind', '=', kindLit(kind))
        .where('name', '=', arg(0))
        .where('project', 'in', [arg(1), arg(2)])
        .orderBy('seq')
        .limit(sql.lit(2)),
    ),
  ),
  childrenOf: new QueryTemplate((db, arg) => db.selectFrom('resources').selectAll().where('parent_id', '=', arg(0)).orderBy('seq')),
  childrenOfKind: perKind((kind) => new QueryTemplate((db, arg) => db.selectFrom('resources').selectAll().where('parent_id', '=', arg(0)).where('kind', '=', kindLit(kind)).orderBy('seq'))),
  insertResource: new QueryTemplate((db, arg) => db.insertInto('resources').values(resourceValues(arg))),
  insertResourceNumbered: new QueryTemplate((db, arg) => db.insertInto('resources').values({ ...resourceValues(arg), event_seq: nextEventSeq(arg(11)) })),
  updateResource: new QueryTemplate((db, arg) => db.updateTable('resources').set(resourceChange(arg)).where('id', '=', arg(6)).where('version', '=', arg(7))),
  updateResourceNumbered: new QueryTemplate((db, arg) =>
    db
      .updateTable('resources')
      .set({ ...resourceChange(arg), event_seq: nextEventSeq(arg(9)) })
      .where('id', '=', arg(6))
      .where('version', '=', arg(7)),
  ),
  // NOTE: SQLite rewrites the entries of every index holding a column in SET, changed or not:
  // most writes change only status and data, so they leave name and parent_id out.
  updateResourceState: new QueryTemplate((db, arg) => db.updateTable('resources').set(stateChange(arg)).where('id', '=', arg(4)).where('version', '=', arg(5))),
  updateResourceStateNumbered: new QueryTemplate((db, arg) =>
    db
      .updateTable('resources')
      .set({ ...stateChange(arg), event_seq: nextEventSeq(arg(7)) })
      .where('id', '=', arg(4))
      .where('version', '=', arg(5)),
  ),
  // NOTE: PostgreSQL: a phase step's two writes in one round trip; `moved` counts the transition rows moved.
  updateResourceStateMoving: new QueryTemplate((db, arg) =>
    db
      .with('moved', (db) => db.updateTable('transitions').set({ due_at: arg(7), expected_version: arg(8), outcome: arg(9), detail: arg(10) }).where('id', '=', arg(11)).returning('id'))
      .updateTable('resources')
      .set(stateChange(arg))
      .where('id', '=', arg(4))
      .where('version', '=', arg(5))
      .returning((eb) => eb.selectFrom('moved').select((eb) => eb.fn.countAll().as('n')).as('moved')),
  ),
  numberResourceEvent: new QueryTemplate((db, arg) => db.updateTable('resources').set({ event_seq: nextEventSeq(arg(0)) }).where('id', '=', arg(1))),
  deleteResource: new QueryTemplate((db, arg) => db.deleteFrom('resources').where('id', '=', arg(0)).where('version', '=', arg(1))),
  nextCounter: new QueryTemplate((db, arg) =>
    db
      .insertInto('counters')
      .values({ key: arg(0), value: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value'),
  ),
  insertTransition: new QueryTemplate((db, arg) =>
    db
      .insertInto('transitions')
      .values({
        resource_id: arg(0),
        operation: arg(1),
        due_at: arg(2),
        expected_version: arg(3),
        outcome: arg(4),
        detail: arg(5),
        created_at: arg(6),
      })
      .returning('id'),
  ),
  getTransition: new QueryTemplate((db, arg) => db.selectFrom('transitions').selectAll().where('id', '=', arg(0))),
  deleteTransition: new QueryTemplate((db, arg) => db.deleteFrom('transitions').where('id', '=', arg(0)).where('expected_version', '=', arg(1)).where('due_at', '=', arg(2))),
  // NOTE: PostgreSQL: one round trip for what applying every transition starts with; the row lock makes a
  // second worker wait, then find the row moved on (or gone) and take nothing.
  takeTransition: new QueryTemplate((db, arg) =>
    db
      .with('taken', (db) => db.selectFrom('transitions').select('resource_id').where('id', '=', arg(0)).where('expected_version', '=', arg(1)).where('due_at', '=', arg(2)).forUpdate())
      .selectFrom('resources')
      .selectAll('resources')
      // NOTE: whether any fault rule exists, so that the phase this transition starts need not ask for its rules in one more round trip.
      .select((eb) => eb.exists(eb.selectFrom('faults').select('id')).as('any_faults'))
      .where('id', 'in', (eb) => eb.selectFrom('taken').select('resource_id')),
  ),
  // NOTE: SQLite runs one writer at a time, so seeing the row is taking it.
  findTransition: new QueryTemplate((db, arg) => db.selectFrom('transitions').select('resource_id').where('id', '=', arg(0)).where('expected_version', '=', arg(1)).where('due_at', '=', arg(2))),
  moveTransition: new QueryTemplate((db, arg) =>
    db
      .updateTable('transitions')
      .set({ due_at: arg(0), expected_version: arg(1), outcome: arg(2), detail: arg(3) })
      .where('id', '=', arg(4)),
  ),
  deleteTransitionsOf: new QueryTemplate((db, arg) => db.deleteFrom('transitions').where('resource_id', '=', arg(0))),
  deleteTransitionsOfExcept: new QueryTemplate((db, arg) => db.deleteFrom('transitions').where('resource_id', '=', arg(0)).where('operation', '<>', arg(1))),
  insertNextEvent: new QueryTemplate((db, arg) => db.insertInto('events').values(eventValues(arg)).returning('seq')),
  // NOTE: PostgreSQL: takes the next number and inserts the event in one round trip; the row lock on
  // event_log it takes is held to commit, so writers of events commit one after another, in number order.
  appendNextEvent: new QueryTemplate((db, arg) =>
    db
      .with('n', (qb) => qb.updateTable('event_log').set((eb) => ({ last_seq: eb('last_seq', '+', 1) })).where('id', '=', 1).returning('last_seq'))
      .insertInto('events')
      .values((eb) => ({ seq: eb.selectFrom('n').select('last_seq'), ...eventValues(arg) }))
      .returning('seq'),
  ),
  claimAddress: new QueryTemplate((db, arg) =>
    db
      .insertInto('ip_allocations')
      .values({ pool: arg(0), address: arg(1), owner_id: arg(2) })
      .onConflict((oc) => oc.columns(['pool', 'address']).doNothing()),
  ),
  releaseAddresses: new QueryTemplate((db, arg) => db.deleteFrom('ip_allocations').where('owner_id', '=', arg(0))),
  addRef: new QueryTemplate((db, arg) =>
    db
      .insertInto('refs')
      .values({ from_id: arg(0), to_id: arg(1), relation: arg(2) })
      .onConflict((oc) => oc.columns(['from_id', 'to_id', 'relation']).doNothing()),
  ),
  removeRefsFrom: new QueryTemplate((db, arg) => db.deleteFrom('refs').where('from_id', '=', arg(0))),
  removeRefsFromBy: new QueryTemplate((db, arg) => db.deleteFrom('refs').where('from_id', '=', arg(0)).where('relation', '=', arg(1))),
  // NOTE: read on every operation, usually to find none: kept compiled.
  faultsFor: new QueryTemplate((db, arg) =>
    db
      .selectFrom('faults')
      .selectAll()
      .where((eb) => eb.or([eb('kind', '=', arg(0)), eb('kind', '=', '*')]))
      .where((eb) => eb.or([eb('operation', '=', arg(1)), eb('operation', '=', '*')]))
      .where((eb) => eb.or([eb('remaining', 'is', null), eb('remaining', '>', 0)]))
      .orderBy('id'),
  ),
  earliestDue: new QueryTemplate((db) => db.selectFrom('transitions').select((eb) => eb.fn.min('due_at').as('due'))),
  referrers: new QueryTemplate((db, arg) =>
    db.selectFrom('refs').select('from_id').where('to_id', '=', arg(0)).where('relation', '=', arg(1)).orderBy('from_id'),
  ),
}

/** The transitions due by argument 0, in due order, at most `limit`: one template per limit (the schedulers use two or three). */
const dueTransitionsQueries = new Map<number, QueryTemplate>()
function dueTransitionsQuery(limit: number): QueryTemplate {
  let template = dueTransitionsQueries.get(limit)
  if (!template) {
    const lit = literalLimit(limit)
    template = new QueryTemplate((db, arg) => db.selectFrom('transitions').selectAll().where('due_at', '<=', arg(0)).orderBy('due_at').orderBy('id').limit(lit))
    dueTransitionsQueries.set(limit, template)
  }
  return template
}

/** A limit as SQL text: SQLite plans `limit 100` far faster than `limit ?`. */
function literalLimit(n: number) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`limit must be a non-negative integer, got ${n}`)
  return sql.lit(n)
}

/**
 * Every query the engine makes, written once in Kysely for every database.
 * An instance is bound either to the pool (reads) or to one transaction.
 */
export class Queries {
  constructor(
    readonly db: Db,
    readonly dialect: StoreDialect,
    /** Reads outside any transaction may skip Kysely's executor (SQLite, see Store). */
    private readonly direct?: DirectReader,
    /** Committed resources of a store only this process writes (SQLite, see ResourceCache). */
    private readonly cache?: ResourceCache,
    /** Runs the templates at once on the connection inside a transaction (SQLite's one connection, see Store). */
    private readonly exec?: TxExecutor,
  ) {}

  /** In a group commit's transaction: where the resources it reads and writes are noted for the cache (see TouchedRecords). */
  touched: TouchedRecords | undefined

  /**
   * PostgreSQL: this transaction took its transition when no fault rule
   * existed (takeTransition asks), so the phase it starts has none to read.
   * A rule added meanwhile is one added just after: it catches the next.
   */
  private noFaultRules = false

  /** Runs a template: at once where this Queries may (see `direct` and `exec`), else through Kysely. */
  private run<R = Record<string, unknown>>(template: QueryTemplate, args: readonly unknown[]): Promise<QueryResult<R>> {
    return template.run<R>(this.db, this.dialect, args, this.direct, this.exec)
  }

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    const { cache } = this
    if (cache) {
      const hit = cache.get(id)
      if (hit) return hit
      if (cache.isAbsent(id)) return undefined
      // NOTE: only a read that ran outside any transaction saw committed state, so only it is kept at once.
      const now = this.direct && Q.getResource.tryDirect<Selectable<ResourcesTable>>(this.db, this.dialect, [id], this.direct)
      if (now) {
        if (now[0]) return cacheRow(cache, now[0])
        cache.rememberAbsent(id)
        return undefined
      }
    }
    const { rows } = await this.run<Selectable<ResourcesTable>>(Q.getResource, [id])
    const row = rows[0]
    if (!row) {
      this.touched?.absent(id)
      return undefined
    }
    const r = toResource(row)
    this.touched?.note(r, estimateBytesFromData(row.data))
    return r
  }

  /** Drops every cached resource, after a write that touches resources wholesale. */
  forgetResources(): void {
    this.cache?.clear()
    this.touched?.forgetAll()
  }

  /** Up to two resources of `kind` named `name` in one or two projects (two tell the caller the name is ambiguous). */
  async findByName(kind: string, projects: readonly [string] | readonly [string, string], name: string): Promise<ResourceRecord[]> {
    const { cache } = this
    const args = [name, projects[0], projects[1] ?? projects[0]]
    const findByName = Q.findByName(kind)
    const scopes = projects.join('\u0000')
    if (cache) {
      const ids = cache.named(kind, name, scopes)
      const known = ids && (await this.resourcesById(ids))
      if (known) return known
      const now = this.direct && findByName.tryDirect<Selectable<ResourcesTable>>(this.db, this.dialect, args, this.direct)
      if (now) {
        const found = now.map((row) => cacheRow(cache, row))
        cache.rememberNamed(kind, name, scopes, found.map((r) => r.id))
        return found
      }
    }
    const { rows } = await this.run<Selectable<ResourcesTable>>(findByName, args)
    const found = rows.map(toResource)
    if (this.touched) {
      for (const [i, r] of found.entries()) this.touched.note(r, estimateBytesFromData(rows[i]!.data))
      this.touched.lookedUp(kind, name, scopes, found.map((r) => r.id))
    }
    return found
  }

  /** The resources of `ids`, or undefined when one of them is gone (what named them no longer holds). */
  private async resourcesById(ids: readonly string[]): Promise<ResourceRecord[] | undefined> {
    const found: ResourceRecord[] = []
    for (const id of ids) {
      const r = await this.getResource(id)
      if (!r) return undefined
      found.push(r)
    }
    return found
  }

  async listResources(q: ResourceQuery): Promise<ResourceRecord[]> {
    const cached = this.listCached(q)
    if (cached) return cached
    const rows = await this.listQuery(q).selectAll().execute()
    return rows.map(toResource)
  }

  private listQuery(q: ResourceQuery) {
    let query = this.db.selectFrom('resources').where('kind', '=', kindLit(q.kind))
    if (q.projects !== undefined) query = query.where('project', 'in', q.projects.length ? q.projects : [''])
    if (q.within !== undefined) query = query.where(scopeWithin(q.within))
    if (q.status !== undefined) query = query.where('status', '=', q.status)
    if (q.name !== undefined) query = query.where('name', '=', q.name)
    if (q.parentId !== undefined) query = query.where('parent_id', '=', q.parentId)
    for (const { field, value } of q.data ?? []) query = query.where(this.dataFieldEquals(field, value))
    for (const r of q.labels?.requirements ?? []) query = query.where(this.labelMeets(q.labels!.field, r))
    const desc = q.sort?.desc ?? false
    const after = desc ? '<' : '>'
    const key = q.sort && ('column' in q.sort ? sql.ref(q.sort.column) : this.dataField(q.sort.dataField, q.sort.numeric))
    if (key && q.afterSeq !== undefined && q.afterValue !== undefined) {
      const [value, seq] = [q.afterValue, q.afterSeq]
      const op = sql.raw(after)
      query = query.where(sql<boolean>`(${key} ${op} ${value} or (${key} = ${value} and seq ${op} ${seq}))`)
    } else if (q.afterSeq !== undefined) {
      query = query.where('seq', after, q.afterSeq)
    }
    if (key) query = query.orderBy(key, desc ? 'desc' : 'asc')
    return query.orderBy('seq', desc ? 'desc' : 'asc').limit(literalLimit(q.limit))
  }

  /**
   * `data.field = value`, as each database reads JSON kept as text: SQLite's
   * json_extract gives the JSON type (true as 1), PostgreSQL's ->> gives text.
   * `field` is a declared name (letters and digits), never user text.
   */
  private dataFieldEquals(field: string, value: string | number | boolean | null) {
    const extracted = this.dataField(field, false)
    if (value === null) return sql<boolean>`${extracted} is null`
    const v = this.dialect === 'postgres' ? String(value) : typeof value === 'boolean' ? Number(value) : value
    return sql<boolean>`${extracted} = ${v}`
  }

  /** A top-level data field as each database reads it (`numeric`: as a number on PostgreSQL, whose ->> gives text). */
  private dataField(field: string, numeric: boolean) {
    return dataFieldOf(this.dialect, field, numeric)
  }

  /**
   * Makes sure each indexed filter has its index: on the scope and the data
   * field, partial on the kind (`create index if not exists`, so every start
   * may ask, and a kind newly declaring one gets it).
   */
  async ensureFilterIndexes(filters: ReadonlyArray<{ kind: string; field: string }>): Promise<void> {
    for (const { kind, field } of filters) {
      if (!KIND_ID.test(kind)) throw new Error(`not a kind id: ${kind}`)
      const name = sql.id(`resources_${kind.replace(/\W/g, '_')}_${field}`)
      const statement = sql`create index if not exists ${name} on resources (project, ${dataFieldOf(this.dialect, field, false)}) where kind = ${sql.lit(kind)}`
      await statement.execute(this.db).catch((err: unknown) => {
        // NOTE: PostgreSQL nodes starting together may both create it; the one that lost finds it there.
        if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P07') throw err
      })
    }
  }

  /**
   * One label requirement on the labels map in data field `field`. The key is
   * checked against Kubernetes' label key syntax (no quote can get in); the
   * values are parameters. A missing label meets `!=` and `notin`, as in Kubernetes.
   */
  private labelMeets(field: string, r: LabelRequirement) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field) || !LABEL_KEY.test(r.key)) throw new Error(`not a label field or key: ${field} ${r.key}`)
    const v =
      this.dialect === 'postgres' ? sql<string | null>`(data::jsonb -> ${sql.lit(field)} ->> ${sql.lit(r.key)})` : sql<string | null>`json_extract(data, ${sql.lit(`$.${field}."${r.key}"`)})`
    switch (r.op) {
      case '=':
        return sql<boolean>`${v} = ${r.value}`
      case '!=':
        return sql<boolean>`(${v} is null or ${v} <> ${r.value})`
      case 'in':
        return sql<boolean>`${v} in (${sql.join(r.values)})`
      case 'notin':
        return sql<boolean>`(${v} is null or ${v} not in (${sql.join(r.values)}))`
      case 'exists':
        return sql<boolean>`${v} is not null`
      case '!exists':
        return sql<boolean>`${v} is null`
    }
  }

  /**
   * A page from the resource cache: ids and versions from the database, whole
   * rows only for what the cache lacks or holds an older version of. Both
   * reads run at once outside any transaction, so they see one committed
   * state. Undefined when that is not possible right now.
   */
  private listCached(q: ResourceQuery): ResourceRecord[] | undefined {
    const { cache, direct } = this
    if (!cache || !direct) return undefined
    const keys = this.listQuery(q).select(['id', 'version']).compile()
    const found = direct(keys.sql, keys.parameters) as Array<{ id: string; version: number }> | undefined
    if (!found) return undefined
    const missing = found.filter((k) => cache.get(k.id)?.version !== Number(k.version)).map((k) => k.id)
    if (missing.length) {
      const rows = this.db.selectFrom('resources').selectAll().where('id', 'in', missing).compile()
      for (const row of (direct(rows.sql, rows.parameters) ?? []) as Array<Selectable<ResourcesTable>>) cacheRow(cache, row)
    }
    const out: ResourceRecord[] = []
    for (const k of found) {
      const r = cache.get(k.id)
      // NOTE: a page larger than the cache's room: read it whole instead.
      if (!r) return undefined
      out.push(r)
    }
    return out
  }

  async childrenOf(parentId: string, kind?: string): Promise<ResourceRecord[]> {
    const { rows } = kind
      ? await this.run<Selectable<ResourcesTable>>(Q.childrenOfKind(kind), [parentId])
      : await this.run<Selectable<ResourcesTable>>(Q.childrenOf, [parentId])
    return rows.map(toResource)
  }

  /**
   * Inserts a resource. `eventAhead`: the event recording it is the
   * `eventAhead`-th this transaction will append (see appendEvents), so its
   * `event_seq` can be that event's number.
   */
  async insertResource(r: Omit<ResourceRecord, 'seq'>, eventAhead?: number): Promise<void> {
    this.cache?.forget(r.id)
    this.cache?.forgetNamed(r.kind, r.name)
    this.touched?.written(r.id)
    this.touched?.nameWritten(r.kind, r.name)
    const data = dataJson(r.data)
    const args = [r.id, r.kind, r.project, r.name, r.status, r.parentId, r.version, data, r.createdAt, r.updatedAt, r.phase]
    if (this.numbersAtWrite(eventAhead)) await this.run(Q.insertResourceNumbered, [...args, eventAhead])
    else await this.run(Q.insertResource, args)
  }

  /**
   * Writes `next` over `prev` only if the stored version is still `prev`'s;
   * false when it moved on. `eventAhead`: as insertResource's.
   */
  async updateResource(next: ResourceRecord, prev: Pick<ResourceRecord, 'version' | 'name' | 'parentId'>, eventAhead?: number): Promise<boolean> {
    this.cache?.forget(next.id)
    // NOTE: lookups by name hand out ids; a rename changes what they find.
    if (next.name !== prev.name) {
      this.cache?.forgetNamed(next.kind, prev.name)
      this.cache?.forgetNamed(next.kind, next.name)
      this.touched?.nameWritten(next.kind, prev.name)
      this.touched?.nameWritten(next.kind, next.name)
    }
    const data = dataJson(next.data)
    const numbered = this.numbersAtWrite(eventAhead)
    const result =
      next.name === prev.name && next.parentId === prev.parentId
        ? await this.run(numbered ? Q.updateResourceStateNumbered : Q.updateResourceState, [next.status, next.version, data, next.updatedAt, next.id, prev.version, next.phase, eventAhead])
        : await this.run(numbered ? Q.updateResourceNumbered : Q.updateResource, [next.name, next.status, next.parentId, next.version, data, next.updatedAt, next.id, prev.version, next.phase, eventAhead])
    const updated = Number(result.numAffectedRows) === 1
    if (updated) this.touched?.written(next.id)
    return updated
  }

  /**
   * updateResource, and moveTransition of the taken row `move` as part of
   * the same write: one statement on PostgreSQL (a phase step's writes, each
   * a round trip otherwise), the two in turn elsewhere. `moved` is false when
   * the resource was not written.
   */
  async updateResourceMoving(next: ResourceRecord, prev: Pick<ResourceRecord, 'version' | 'name' | 'parentId'>, eventAhead: number, move: TransitionRecord): Promise<{ updated: boolean; moved: boolean }> {
    if (this.dialect !== 'postgres' || next.name !== prev.name || next.parentId !== prev.parentId) {
      const updated = await this.updateResource(next, prev, eventAhead)
      return { updated, moved: updated && (await this.moveTransition(move.id, move)) }
    }
    const detail = move.detail ? JSON.stringify(move.detail) : null
    const args = [next.status, next.version, dataJson(next.data), next.updatedAt, next.id, prev.version, next.phase, move.dueAt, move.expectedVersion, move.outcome, detail, move.id]
    const { rows } = await this.run<{ moved: number | string }>(Q.updateResourceStateMoving, args)
    const updated = rows.length === 1
    return { updated, moved: updated && Number(rows[0]!.moved) === 1 }
  }

  /**
   * The event recording a resource that changed without a write of its own
   * (loaded with a snapshot) is the `eventAhead`-th this transaction will
   * append: its `event_seq` becomes that event's number.
   */
  async numberResourceEvent(id: string, eventAhead: number): Promise<void> {
    if (this.numbersAtWrite(eventAhead)) await this.run(Q.numberResourceEvent, [eventAhead, id])
  }

  /**
   * Whether this store sets `event_seq` as a resource is written (SQLite,
   * see nextEventSeq); PostgreSQL numbers events under a lock taken as the
   * transaction appends them, after its writes, and sets it by trigger.
   */
  private numbersAtWrite(eventAhead: number | undefined): eventAhead is number {
    return eventAhead !== undefined && this.dialect === 'sqlite'
  }

  async deleteResource(id: string, expectedVersion: number): Promise<boolean> {
    this.cache?.forget(id)
    const deleted = Number((await this.run(Q.deleteResource, [id, expectedVersion])).numAffectedRows) === 1
    if (deleted) this.touched?.written(id)
    return deleted
  }

  /**
   * Takes a lock on `key` until this transaction ends: an exclusive one waits
   * for every other holder, a shared one only for an exclusive holder.
   * PostgreSQL runs transactions side by side, so a rule that reads before it
   * writes (one default security group, unique DNS names, no overlapping
   * CIDRs, device letters) locks what it reads first; SQLite already runs one
   * transaction at a time, so there it does nothing.
   * See docs/decisions/0005-rule-locks.md.
   */
  async lock(key: string, mode: 'shared' | 'exclusive' = 'exclusive'): Promise<void> {
    if (this.dialect !== 'postgres') return
    // NOTE: keyed by schema too, so mockclouds sharing one database never wait on each other.
    if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(hashtext(current_schema()), hashtext(${key}))`.execute(this.db)
    else await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(${key}))`.execute(this.db)
  }

  /** A number never handed out before by this store: the source of resource ids. */
  async nextIdNumber(): Promise<number> {
    if (this.dialect === 'postgres') {
      const { rows } = await sql<{ n: number }>`select nextval('resource_ids') as n`.execute(this.db)
      return Number(rows[0]!.n)
    }
    return this.nextCounter('id')
  }

  /** The next value of a named counter, starting at 1. */
  async nextCounter(key: string): Promise<number> {
    const { rows } = await this.run<{ value: number }>(Q.nextCounter, [key])
    return Number(rows[0]!.value)
  }

  /** Queues a transition; returns its id. */
  async insertTransition(t: Omit<TransitionRecord, 'id'>): Promise<number> {
    const detail = t.detail ? JSON.stringify(t.detail) : null
    const args = [t.resourceId, t.operation, t.dueAt, t.expectedVersion, t.outcome, detail, t.createdAt]
    const { rows } = await this.run<{ id: number }>(Q.insertTransition, args)
    return Number(rows[0]!.id)
  }

  async getTransition(id: number): Promise<TransitionRecord | undefined> {
    const { rows } = await this.run<Selectable<TransitionsTable>>(Q.getTransition, [id])
    return rows[0] && toTransition(rows[0])
  }

  async dueTransitions(now: number, limit: number): Promise<TransitionRecord[]> {
    const { rows } = await this.run<Selectable<TransitionsTable>>(dueTransitionsQuery(limit), [now])
    return rows.map(toTransition)
  }

  async earliestDue(): Promise<number | undefined> {
    const { rows } = await this.run<{ due: number | string | null }>(Q.earliestDue, [])
    const due = rows[0]?.due
    return due == null ? undefined : Number(due)
  }

  async pendingTransitions(resourceId: string): Promise<TransitionRecord[]> {
    const rows = await this.db.selectFrom('transitions').selectAll().where('resource_id', '=', resourceId).orderBy('id').execute()
    return rows.map(toTransition)
  }

  /** Removes a transition as it was scheduled; false if another runner took it or moved it on. */
  async deleteTransition(t: Pick<TransitionRecord, 'id' | 'expectedVersion' | 'dueAt'>): Promise<boolean> {
    return Number((await this.run(Q.deleteTransition, [t.id, t.expectedVersion, t.dueAt])).numAffectedRows) === 1
  }

  /**
   * Takes a due transition, as applying it starts, and reads its resource:
   * undefined when another runner applied it already (the row is gone, or
   * moved on to a later phase or a later try) or its resource is gone. The
   * row must be as `t` says, due time included, so a runner may take what
   * it was handed without reading the row first. It stays, held by this
   * transaction, for it to delete or move on (see moveTransition).
   */
  async takeTransition(t: Pick<TransitionRecord, 'id' | 'resourceId' | 'expectedVersion' | 'dueAt'>): Promise<ResourceRecord | undefined> {
    if (this.dialect === 'postgres') {
      const { rows } = await this.run<Selectable<ResourcesTable> & { any_faults: boolean }>(Q.takeTransition, [t.id, t.expectedVersion, t.dueAt])
      if (rows[0] && !rows[0].any_faults) this.noFaultRules = true
      return rows[0] && toResource(rows[0])
    }
    const { rows } = await this.run(Q.findTransition, [t.id, t.expectedVersion, t.dueAt])
    return rows.length ? this.getResource(t.resourceId) : undefined
  }

  /**
   * Reschedules a taken transition in place for the next phase of its
   * operation: one write, where a delete and an insert would touch every
   * index of the table twice. Its id stays; its expected version moves on.
   */
  async moveTransition(id: number, t: Pick<TransitionRecord, 'dueAt' | 'expectedVersion' | 'outcome' | 'detail'>): Promise<boolean> {
    const detail = t.detail ? JSON.stringify(t.detail) : null
    return Number((await this.run(Q.moveTransition, [t.dueAt, t.expectedVersion, t.outcome, detail, id])).numAffectedRows) === 1
  }

  /** Deletes a resource's pending transitions, but those of operation `except` (one going on in the background) when given. */
  async deleteTransitionsOf(resourceId: string, except?: string): Promise<void> {
    await (except === undefined ? this.run(Q.deleteTransitionsOf, [resourceId]) : this.run(Q.deleteTransitionsOfExcept, [resourceId, except]))
  }

  /**
   * Appends events, numbered after the last one in commit order with no gap,
   * and prunes what falls out of the `retention` newest, a tenth at a time.
   * Returns the events with their numbers. PostgreSQL numbers them from the
   * `event_log` row, locked until this transaction ends; SQLite, which runs
   * one transaction at a time, from the events table's AUTOINCREMENT (its
   * counter commits and rolls back with the transaction, and never goes
   * back when events are deleted).
   */
  async appendEvents(events: ReadonlyArray<Omit<EventRecord, 'seq'>>, retention: number): Promise<EventRecord[]> {
    if (events.length === 0) return []
    // NOTE: on PostgreSQL, the numbering lock is held through COMMIT, which does not wait for the WAL flush: the
    // store's connections run with synchronous_commit off (openPostgresStore, ADR 0007).
    const append = this.dialect === 'postgres' ? Q.appendNextEvent : Q.insertNextEvent
    const numbered: EventRecord[] = []
    for (const e of events) {
      const { rows } = await this.run<{ seq: number }>(append, eventColumns(e))
      numbered.push(numberedEvent(e, Number(rows[0]!.seq)))
    }
    const last = numbered[numbered.length - 1]!.seq
    const chunk = Math.max(1, Math.floor(retention / 10))
    // NOTE: when the numbers cross a multiple of the chunk: no read of the floor on every change.
    if (last > retention && Math.floor(last / chunk) > Math.floor((last - events.length) / chunk)) {
      await this.db.deleteFrom('events').where('seq', '<=', last - retention).execute()
      await this.db
        .updateTable('event_log')
        .set({ floor: last - retention })
        .where('id', '=', 1)
        .where('floor', '<', last - retention)
        .execute()
    }
    return numbered
  }

  /** The last event number handed out, and the last one pruned (replaying from before it is no longer possible). */
  async eventLog(): Promise<{ lastSeq: number; floor: number }> {
    const row = await this.db.selectFrom('event_log').select(['last_seq', 'floor']).where('id', '=', 1).executeTakeFirstOrThrow()
    if (this.dialect === 'postgres') return { lastSeq: Number(row.last_seq), floor: Number(row.floor) }
    const { rows } = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'events'`.execute(this.db)
    return { lastSeq: Math.max(Number(rows[0]?.seq ?? 0), Number(row.last_seq)), floor: Number(row.floor) }
  }

  /** Forgets the history before now: whoever replays from an earlier number is told it is gone (after a snapshot is loaded). */
  async truncateEventLog(): Promise<void> {
    const { lastSeq } = await this.eventLog()
    await this.db.deleteFrom('events').execute()
    await this.db.updateTable('event_log').set({ last_seq: lastSeq, floor: lastSeq }).where('id', '=', 1).execute()
  }

  /** Events after a number, in order, optionally only of some projects and kinds. */
  async listEvents(q: {
    afterSeq?: number | undefined
    upToSeq?: number | undefined
    projects?: readonly string[] | undefined
    /** Events of resources in this scope or in one it holds (a cluster's namespaces). */
    within?: string | undefined
    kinds?: readonly string[] | undefined
    resourceId?: string
    limit: number
  }): Promise<EventRecord[]> {
    let query = this.db.selectFrom('events').selectAll()
    if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq)
    if (q.upToSeq !== undefined) query = query.where('seq', '<=', q.upToSeq)
    if (q.projects !== undefined) query = query.where('project', 'in', q.projects.length ? q.projects : [''])
    if (q.within !== undefined) query = query.where(scopeWithin(q.within))
    if (q.kinds !== undefined) query = query.where('kind', 'in', q.kinds.length ? q.kinds : [''])
    if (q.resourceId !== undefined) query = query.where('resource_id', '=', q.resourceId)
    return (await query.orderBy('seq').limit(literalLimit(q.limit)).execute()).map(toEvent)
  }

  /** Every resource of a scope and of the scopes it holds, in insertion order (what a reset of it removes). */
  async resourcesWithin(scope: string): Promise<ResourceRecord[]> {
    return (await this.db.selectFrom('resources').selectAll().where(scopeWithin(scope)).orderBy('seq').execute()).map(toResource)
  }

  /** Every resource of a kind in one scope (counting a scope's quota usage). */
  async resourcesOf(scope: string, kind: string): Promise<ResourceRecord[]> {
    const rows = await this.db.selectFrom('resources').selectAll().where('project', '=', scope).where('kind', '=', kindLit(kind)).execute()
    return rows.map(toResource)
  }

  /**
   * A scope's quota row, locked until the transaction ends on PostgreSQL (SQLite
   * runs one transaction at a time): created empty when missing.
   */
  async lockQuotaRow(scope: string): Promise<QuotaRow> {
    const read = async () => (await this.run<QuotaRowColumns>(this.dialect === 'postgres' ? Q.quotaRowForUpdate : Q.quotaRow, [scope])).rows[0]
    let row = await read()
    if (!row) {
      await this.db.insertInto('quotas').values({ scope, usage: null, limits: '{}' }).onConflict((oc) => oc.column('scope').doNothing()).execute()
      row = (await read())!
    }
    return toQuotaRow(row)
  }

  async saveQuotaUsage(scope: string, usage: Record<string, number>): Promise<void> {
    await this.run(Q.saveQuotaUsage, [JSON.stringify(usage), scope])
  }

  /** A scope's quota row as it is, without locking; undefined when it has none. */
  async quotaRow(scope: string): Promise<QuotaRow | undefined> {
    const row = (await this.run<QuotaRowColumns>(Q.quotaRow, [scope])).rows[0]
    return row && toQuotaRow(row)
  }

  /** Changes a scope's own limits under its row's lock: `change` gets the current ones and returns the new ({}: the defaults again). */
  async setQuotaLimits(scope: string, change: (own: Record<string, number>) => Record<string, number>): Promise<void> {
    const { limits } = await this.lockQuotaRow(scope)
    await this.db.updateTable('quotas').set({ limits: JSON.stringify(change(limits)) }).where('scope', '=', scope).execute()
  }

  /** Forgets what scopes use (one and those it holds, or all), to be counted again from their resources (after a reset or a snapshot load). */
  async forgetQuotaUsage(scope?: string): Promise<void> {
    const query = this.db.updateTable('quotas').set({ usage: null })
    await (scope === undefined ? query : query.where(scopeWithin(scope, 'scope'))).execute()
  }

  /** Drops every scope's quotas, limits too (a full reset). */
  async clearQuotas(): Promise<void> {
    await this.db.deleteFrom('quotas').execute()
  }

  /** The time of the latest event (the emulated clock never goes back past it); a scan, bounded by the retention, once per start. */
  async latestEventTime(): Promise<number | undefined> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('at').as('at')).executeTakeFirst()
    return row?.at == null ? undefined : Number(row.at)
  }

  /** Claims an address in a pool; false if it is taken. Never hands one out twice. */
  async claimAddress(pool: string, address: string, ownerId: string): Promise<boolean> {
    return Number((await this.run(Q.claimAddress, [pool, address, ownerId])).numAffectedRows ?? 0) === 1
  }

  async addressesIn(pool: string): Promise<string[]> {
    const rows = await this.db.selectFrom('ip_allocations').select('address').where('pool', '=', pool).execute()
    return rows.map((r) => r.address)
  }

  async countAddresses(pool: string): Promise<number> {
    const row = await this.db
      .selectFrom('ip_allocations')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('pool', '=', pool)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async releaseAddresses(ownerId: string): Promise<void> {
    await this.run(Q.releaseAddresses, [ownerId])
  }

  async addRef(fromId: string, toId: string, relation: string): Promise<void> {
    await this.run(Q.addRef, [fromId, toId, relation])
  }

  async removeRefsFrom(fromId: string, relation?: string): Promise<void> {
    if (relation) await this.run(Q.removeRefsFromBy, [fromId, relation])
    else await this.run(Q.removeRefsFrom, [fromId])
  }

  /** Ids of the resources that refer to `toId` by `relation`. */
  async referrers(toId: string, relation: string): Promise<string[]> {
    const { rows } = await this.run<{ from_id: string }>(Q.referrers, [toId, relation])
    return rows.map((r) => r.from_id)
  }

  async insertFault(f: Omit<FaultRecord, 'id'>): Promise<number> {
    this.faultsWritten()
    const row = await this.db
      .insertInto('faults')
      .values({ kind: f.kind, operation: f.operation, rule: JSON.stringify(f.rule), remaining: f.remaining, matched: f.matched, fired: f.fired, created_at: f.createdAt })
      .returning('id')
      .executeTakeFirstOrThrow()
    return Number(row.id)
  }

  async listFaults(): Promise<FaultRecord[]> {
    return (await this.db.selectFrom('faults').selectAll().orderBy('id').execute()).map(toFault)
  }

  /** The rules that may fire on `operation` of `kind` (wildcards included), oldest first. */
  async faultsFor(kind: string, operation: string): Promise<FaultRecord[]> {
    if (this.noFaultRules) return []
    const { cache } = this
    if (cache) {
      const known = cache.faultRules(kind, operation)
      if (known) return [...known]
      const now = this.direct && Q.faultsFor.tryDirect<Selectable<FaultsTable>>(this.db, this.dialect, [kind, operation], this.direct)
      if (now) {
        const rules = now.map(toFault)
        cache.rememberFaultRules(kind, operation, rules)
        return [...rules]
      }
    }
    const { rows } = await this.run<Selectable<FaultsTable>>(Q.faultsFor, [kind, operation])
    const rules = rows.map(toFault)
    this.touched?.readRules(kind, operation, rules)
    return [...rules]
  }

  /** Fault rules change: what the cache knows of them goes, at once and when the batch commits. */
  private faultsWritten(): void {
    this.noFaultRules = false
    this.cache?.forgetFaultRules()
    this.touched?.ruleWritten()
  }

  /**
   * Counts a match of a rule and, when `fire`, one firing: atomically, and only
   * while it has firings left. False when another request took the last one.
   */
  async claimFault(id: number, fire: boolean): Promise<boolean> {
    this.faultsWritten()
    const res = await this.db
      .updateTable('faults')
      .set((eb) => ({
        matched: eb('matched', '+', 1),
        fired: eb('fired', '+', fire ? 1 : 0),
        remaining: fire ? eb('remaining', '-', 1) : eb.ref('remaining'),
      }))
      .where('id', '=', id)
      .where((eb) => eb.or([eb('remaining', 'is', null), eb('remaining', '>', 0)]))
      .executeTakeFirst()
    return Number(res.numUpdatedRows) === 1
  }

  async deleteFault(id: number): Promise<boolean> {
    this.faultsWritten()
    return Number((await this.db.deleteFrom('faults').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 1
  }

  async clearFaults(): Promise<void> {
    this.faultsWritten()
    await this.db.deleteFrom('faults').execute()
  }

  /** How many resources there are of each kind in each status (for metrics). */
  async countByKindAndStatus(): Promise<Array<{ kind: string; status: string; n: number }>> {
    const rows = await this.db
      .selectFrom('resources')
      .select((eb) => ['kind', 'status', eb.fn.countAll().as('n')])
      .groupBy(['kind', 'status'])
      .execute()
    return rows.map((r) => ({ kind: r.kind, status: r.status, n: Number(r.n) }))
  }

  /** How many resources of one kind there are in each scope, by status (for metrics: a pool's pods). */
  async countByScopeAndStatus(kind: string): Promise<Array<{ project: string; status: string; n: number }>> {
    const rows = await this.db
      .selectFrom('resources')
      .select((eb) => ['project', 'status', eb.fn.countAll().as('n')])
      .where('kind', '=', kindLit(kind))
      .groupBy(['project', 'status'])
      .execute()
    return rows.map((r) => ({ project: r.project, status: r.status, n: Number(r.n) }))
  }

  async countTransitions(): Promise<number> {
    const row = await this.db.selectFrom('transitions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst()
    return row?.value
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  /** Records that worker `node` is alive now or, with `stopped`, that it has stopped cleanly. */
  async recordWorkerBeat(node: string, stopped = false): Promise<void> {
    const now = this.realNow()
    const stoppedAt = stopped ? now : null
    await this.db
      .insertInto('workers')
      .values({ node, seen_at: now, stopped_at: stoppedAt })
      .onConflict((oc) => oc.column('node').doUpdateSet({ seen_at: now, stopped_at: stoppedAt }))
      .execute()
  }

  /** Every worker's last beat: how many real ms ago it was, and whether the worker said it stopped. */
  async workerBeats(): Promise<Array<{ node: string; agoMs: number; stopped: boolean }>> {
    const rows = await this.db
      .selectFrom('workers')
      .select(['node', 'stopped_at', sql<number>`${this.realNow()} - seen_at`.as('ago_ms')])
      .execute()
    return rows.map((r) => ({ node: r.node, agoMs: Number(r.ago_ms), stopped: r.stopped_at !== null }))
  }

  /** Forgets the workers not seen for `ms` (restarts leave a row each). */
  async forgetWorkersSilentFor(ms: number): Promise<void> {
    await this.db.deleteFrom('workers').where('seen_at', '<', sql<number>`${this.realNow()} - ${ms}`).execute()
  }

  /**
   * Real time in epoch ms for heartbeats. PostgreSQL's own clock, so that
   * nodes on hosts whose clocks disagree still agree on who beat when;
   * SQLite has one process, whose clock it is.
   */
  private realNow() {
    return this.dialect === 'postgres' ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`${Date.now()}`
  }
}

/**
 * A committed row, read outside any transaction, into the cache. Its data's
 * JSON is not kept beside it (see parseData): a cache full of records read
 * by GETs and lists held each one's JSON too, a fifth more memory than its
 * budget counts, for the few of them a write would have reused it for.
 */
function cacheRow(cache: ResourceCache, row: Selectable<ResourcesTable>): ResourceRecord {
  return cache.remember(resourceOf(row, JSON.parse(row.data) as Record<string, unknown>), estimateBytesFromData(row.data))
}

/** A row as a record, its data's JSON remembered for a write of it to reuse (see parseData). */
function toResource(row: Selectable<ResourcesTable>): ResourceRecord {
  return resourceOf(row, parseData(row.data))
}

function resourceOf(row: Selectable<ResourcesTable>, data: Record<string, unknown>): ResourceRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    kind: row.kind,
    project: row.project,
    name: row.name,
    status: row.status,
    phase: row.phase,
    parentId: row.parent_id,
    version: Number(row.version),
    data,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    eventSeq: Number(row.event_seq),
  }
}

function toTransition(row: Selectable<TransitionsTable>): TransitionRecord {
  return {
    id: Number(row.id),
    resourceId: row.resource_id,
    operation: row.operation,
    dueAt: Number(row.due_at),
    expectedVersion: Number(row.expected_version),
    outcome: row.outcome === 'fail' ? 'fail' : 'complete',
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    createdAt: Number(row.created_at),
  }
}

/**
 * An event with its number, written out field by field. A spread copy
 * (`{ ...e, seq }`) of every event cost V8's old generation 17 MB while
 * 10,000 VMs were built (28 MB promoted against 11 MB), and the server
 * 20 MB of RSS (bench:api's "RSS after populating").
 */
function numberedEvent(e: Omit<EventRecord, 'seq'>, seq: number): EventRecord {
  return { seq, at: e.at, project: e.project, kind: e.kind, resourceId: e.resourceId, name: e.name, type: e.type, operation: e.operation, fromStatus: e.fromStatus, toStatus: e.toStatus, version: e.version, resource: e.resource }
}

/** An event's columns after its number; the resource as it was written (toEvent gives it the event's number). */
function eventColumns(e: Omit<EventRecord, 'seq'>): unknown[] {
  return [e.at, e.project, e.kind, e.resourceId, e.name, e.type, e.operation, e.fromStatus, e.toStatus, e.version, e.resource && resourceJson(e.resource)]
}

/** The resource an event carries, with the event's number as its eventSeq (not a delete's: it keeps its last). */
function resourceOfEvent(row: Selectable<EventsTable>): ResourceRecord {
  const r = JSON.parse(row.resource!) as ResourceRecord
  return row.type === 'deleted' ? r : { ...r, eventSeq: Number(row.seq) }
}

function toEvent(row: Selectable<EventsTable>): EventRecord {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    project: row.project,
    kind: row.kind,
    resourceId: row.resource_id,
    name: row.name,
    type: row.type as EventRecord['type'],
    operation: row.operation,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    version: Number(row.version),
    resource: row.resource ? resourceOfEvent(row) : null,
  }
}

function toFault(row: Selectable<FaultsTable>): FaultRecord {
  return {
    id: Number(row.id),
    kind: row.kind,
    operation: row.operation,
    rule: JSON.parse(row.rule) as Record<string, unknown>,
    remaining: row.remaining === null ? null : Number(row.remaining),
    matched: Number(row.matched),
    fired: Number(row.fired),
    createdAt: Number(row.created_at),
  }
}

/** A scope's quotas as stored: what it uses (null: not counted yet) and its own limits. */
export interface QuotaRow {
  usage: Record<string, number> | null
  limits: Record<string, number>
}

interface QuotaRowColumns {
  usage: string | null
  limits: string
}

function toQuotaRow(row: QuotaRowColumns): QuotaRow {
  return { usage: row.usage === null ? null : (JSON.parse(row.usage) as Record<string, number>), limits: JSON.parse(row.limits) as Record<string, number> }
}

/**
 * `project` is the scope or one it holds (`cluster:dev` holds `cluster:dev/default`):
 * compared exactly, byte for byte, on both databases (LIKE would read `_` as a wildcard,
 * and SQLite's ignores case).
 */
export function scopeWithin(scope: string, column: 'project' | 'scope' = 'project') {
  const c = sql.ref(column)
  return sql<boolean>`(${c} = ${scope} or substr(${c}, 1, ${scope.length + 1}) = ${`${scope}/`})`
}

/** What a kind id looks like (`network.port`): safe to write into a statement. */
const KIND_ID = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/

/**
 * A kind as an SQL literal, in the queries on resources that name one. Bound,
 * it makes SQLite plan the statement again at every run: whether a partial
 * filter index (`where kind = 'network.port'`) may serve depends on the
 * value, so SQLite re-prepares when it changes (measured: 8 µs a list's key
 * query against 2.4 µs); and PostgreSQL's generic plans of named statements
 * could use no partial index at all. Kinds are the registry's ids, checked.
 */
function kindLit(kind: string) {
  if (!KIND_ID.test(kind)) throw new Error(`not a kind id: ${kind}`)
  return sql.lit(kind)
}

/** One query template per kind, made on first use (kinds are few and fixed). */
function perKind(make: (kind: string) => QueryTemplate): (kind: string) => QueryTemplate {
  const made = new Map<string, QueryTemplate>()
  return (kind) => {
    let t = made.get(kind)
    if (!t) made.set(kind, (t = make(kind)))
    return t
  }
}

/** A top-level data field as each database reads it; `field` a declared name, never user text. */
function dataFieldOf(dialect: StoreDialect, field: string, numeric: boolean) {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new Error(`not a data field name: ${field}`)
  if (dialect === 'sqlite') return sql`json_extract(data, ${sql.lit(`$.${field}`)})`
  return numeric ? sql`((data::jsonb ->> ${sql.lit(field)})::numeric)` : sql`(data::jsonb ->> ${sql.lit(field)})`
}
