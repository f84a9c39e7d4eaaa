import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { Database, EventsTable, ResourcesTable, TransitionsTable } from './database.js'
import type { StoreDialect } from './store.js'
import type { EventRecord, ResourceQuery, ResourceRecord, TransitionRecord } from './records.js'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Every query the engine makes, written once in Kysely for every database.
 * An instance is bound either to the pool (reads) or to one transaction.
 */
export class Queries {
  constructor(
    readonly db: Db,
    readonly dialect: StoreDialect,
  ) {}

  async getResource(id: string): Promise<ResourceRecord | undefined> {
    const row = await this.db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toResource(row)
  }

  async findByName(kind: string, projects: string[], name: string, limit = 2): Promise<ResourceRecord[]> {
    const rows = await this.db
      .selectFrom('resources')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .where('project', 'in', projects)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map(toResource)
  }

  async listResources(q: ResourceQuery): Promise<ResourceRecord[]> {
    let query = this.db
      .selectFrom('resources')
      .selectAll()
      .where('project', 'in', q.projects)
      .where('kind', '=', q.kind)
    if (q.status !== undefined) query = query.where('status', '=', q.status)
    if (q.name !== undefined) query = query.where('name', '=', q.name)
    if (q.parentId !== undefined) query = query.where('parent_id', '=', q.parentId)
    if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq)
    const rows = await query.orderBy('seq').limit(q.limit).execute()
    return rows.map(toResource)
  }

  async childrenOf(parentId: string, kind?: string): Promise<ResourceRecord[]> {
    let query = this.db.selectFrom('resources').selectAll().where('parent_id', '=', parentId)
    if (kind) query = query.where('kind', '=', kind)
    return (await query.orderBy('seq').execute()).map(toResource)
  }

  async insertResource(r: Omit<ResourceRecord, 'seq'>): Promise<void> {
    await this.db
      .insertInto('resources')
      .values({
        id: r.id,
        kind: r.kind,
        project: r.project,
        name: r.name,
        status: r.status,
        parent_id: r.parentId,
        version: r.version,
        data: JSON.stringify(r.data),
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .execute()
  }

  /** Writes `next` only if the stored version is still `expectedVersion`; false when it moved on. */
  async updateResource(next: ResourceRecord, expectedVersion: number): Promise<boolean> {
    const res = await this.db
      .updateTable('resources')
      .set({
        name: next.name,
        status: next.status,
        parent_id: next.parentId,
        version: next.version,
        data: JSON.stringify(next.data),
        updated_at: next.updatedAt,
      })
      .where('id', '=', next.id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst()
    return Number(res.numUpdatedRows) === 1
  }

  async deleteResource(id: string, expectedVersion: number): Promise<boolean> {
    const res = await this.db.deleteFrom('resources').where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst()
    return Number(res.numDeletedRows) === 1
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
    const row = await this.db
      .insertInto('counters')
      .values({ key, value: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb('counters.value', '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow()
    return Number(row.value)
  }

  /** Queues a transition; returns its id. */
  async insertTransition(t: Omit<TransitionRecord, 'id'>): Promise<number> {
    const row = await this.db
      .insertInto('transitions')
      .values({
        resource_id: t.resourceId,
        operation: t.operation,
        due_at: t.dueAt,
        expected_version: t.expectedVersion,
        outcome: t.outcome,
        detail: t.detail ? JSON.stringify(t.detail) : null,
        created_at: t.createdAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return Number(row.id)
  }

  async getTransition(id: number): Promise<TransitionRecord | undefined> {
    const row = await this.db.selectFrom('transitions').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toTransition(row)
  }

  async dueTransitions(now: number, limit: number): Promise<TransitionRecord[]> {
    const rows = await this.db
      .selectFrom('transitions')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(toTransition)
  }

  async earliestDue(): Promise<number | undefined> {
    const row = await this.db.selectFrom('transitions').select((eb) => eb.fn.min('due_at').as('due')).executeTakeFirst()
    return row?.due == null ? undefined : Number(row.due)
  }

  async pendingTransitions(resourceId: string): Promise<TransitionRecord[]> {
    const rows = await this.db.selectFrom('transitions').selectAll().where('resource_id', '=', resourceId).orderBy('id').execute()
    return rows.map(toTransition)
  }

  /** Removes a transition; false if another runner already took it. */
  async deleteTransition(id: number): Promise<boolean> {
    const res = await this.db.deleteFrom('transitions').where('id', '=', id).executeTakeFirst()
    return Number(res.numDeletedRows) === 1
  }

  async deleteTransitionsOf(resourceId: string): Promise<void> {
    await this.db.deleteFrom('transitions').where('resource_id', '=', resourceId).execute()
  }

  async insertEvent(e: Omit<EventRecord, 'seq'>): Promise<number> {
    const row = await this.db
      .insertInto('events')
      .values({
        at: e.at,
        project: e.project,
        kind: e.kind,
        resource_id: e.resourceId,
        name: e.name,
        type: e.type,
        operation: e.operation,
        from_status: e.fromStatus,
        to_status: e.toStatus,
        version: e.version,
      })
      .returning('seq')
      .executeTakeFirstOrThrow()
    return Number(row.seq)
  }

  async listEvents(q: { resourceId?: string; afterSeq?: number; limit: number }): Promise<EventRecord[]> {
    let query = this.db.selectFrom('events').selectAll()
    if (q.resourceId !== undefined) query = query.where('resource_id', '=', q.resourceId)
    if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq)
    return (await query.orderBy('seq').limit(q.limit).execute()).map(toEvent)
  }

  async latestEventTime(): Promise<number | undefined> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.max('at').as('at')).executeTakeFirst()
    return row?.at == null ? undefined : Number(row.at)
  }

  /** Claims an address in a pool; false if it is taken. Never hands one out twice. */
  async claimAddress(pool: string, address: string, ownerId: string): Promise<boolean> {
    const res = await this.db
      .insertInto('ip_allocations')
      .values({ pool, address, owner_id: ownerId })
      .onConflict((oc) => oc.columns(['pool', 'address']).doNothing())
      .executeTakeFirst()
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1
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
    await this.db.deleteFrom('ip_allocations').where('owner_id', '=', ownerId).execute()
  }

  async addRef(fromId: string, toId: string, relation: string): Promise<void> {
    await this.db
      .insertInto('refs')
      .values({ from_id: fromId, to_id: toId, relation })
      .onConflict((oc) => oc.columns(['from_id', 'to_id', 'relation']).doNothing())
      .execute()
  }

  async removeRefsFrom(fromId: string, relation?: string): Promise<void> {
    let q = this.db.deleteFrom('refs').where('from_id', '=', fromId)
    if (relation) q = q.where('relation', '=', relation)
    await q.execute()
  }

  /** Ids of the resources that refer to `toId` by `relation`. */
  async referrers(toId: string, relation: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('refs')
      .select('from_id')
      .where('to_id', '=', toId)
      .where('relation', '=', relation)
      .orderBy('from_id')
      .execute()
    return rows.map((r) => r.from_id)
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
}

function toResource(row: Selectable<ResourcesTable>): ResourceRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    kind: row.kind,
    project: row.project,
    name: row.name,
    status: row.status,
    parentId: row.parent_id,
    version: Number(row.version),
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
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
  }
}
