import { CompiledQuery, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE, type TestDb } from '../../test/helpers/store.js'
import { defaultRegistry } from '../engine/kinds/index.js'
import { openStore } from './open-store.js'
import type { Queries } from './queries.js'
import type { ResourceQuery } from './records.js'
import type { Store } from './store.js'

/** The plan the database picks for a list, as text, its parameters bound as the store binds them. */
async function planOf(store: Store, q: ResourceQuery): Promise<string> {
  const compiled = (store.read as unknown as { listQuery(q: ResourceQuery): { selectAll(): { compile(): { sql: string; parameters: readonly unknown[] } } } }).listQuery(q).selectAll().compile()
  return store.transaction(async (tx: Queries) => {
    // NOTE: PostgreSQL: a few rows are cheaper to scan than to look up: the question is whether the index can serve the list.
    if (store.dialect === 'postgres') await sql`set local enable_seqscan = off`.execute(tx.db)
    const explain = store.dialect === 'postgres' ? 'explain' : 'explain query plan'
    const { rows } = await tx.db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${explain} ${compiled.sql}`, [...compiled.parameters]))
    return rows.map((r) => r['QUERY PLAN'] ?? r['detail']).join('\n')
  })
}

describe(`indexed data filters on ${TEST_STORE}`, () => {
  let db: TestDb
  let store: Store
  beforeEach(async () => {
    db = freshDb()
    store = await openStore(db.location)
    await store.read.ensureFilterIndexes(defaultRegistry().filterIndexes())
    // NOTE: asked again, as every start does (and nodes starting together do): nothing changes, nothing fails.
    await Promise.all([store.read.ensureFilterIndexes(defaultRegistry().filterIndexes()), store.read.ensureFilterIndexes(defaultRegistry().filterIndexes())])
  })
  afterEach(async () => {
    await store.close()
    await db.drop()
  })

  it('looks a server’s ports and a user’s role assignments up in their index; a filter nobody declared hot is not', async () => {
    // NOTE: a project of 1,000 ports of one owner type, and statistics, as a planner would have them on a working cloud.
    await store.transaction(async (q) => {
      for (let i = 0; i < 1000; i++) {
        const data = { deviceId: `vm-${i}`, deviceOwner: 'compute:nova', networkId: `net-${i % 10}`, ipAddress: `10.0.${i >> 8}.${i & 255}` }
        await q.insertResource({ id: `port-${i}`, kind: 'network.port', project: 'p', name: '', status: 'active', phase: null, parentId: null, version: 1, data, createdAt: 0, updatedAt: 0, eventSeq: 0 })
      }
    })
    await sql`analyze`.execute(store.db)
    // NOTE: the field is looked up in the index (SQLite: <expr>=?; PostgreSQL: in the Index Cond), not filtered row by row.
    const lookedUp = (field: string) => (TEST_STORE === 'postgres' ? new RegExp(`Index Cond: .*'${field}'`) : /USING INDEX \S+ \(project=\? AND <expr>=\?\)/)
    const ports = await planOf(store, { kind: 'network.port', projects: ['p'], data: [{ field: 'deviceId', value: 'vm-1' }], limit: 10 })
    expect(ports).toContain('resources_network_port_deviceId')
    expect(ports).toMatch(lookedUp('deviceId'))
    const assignments = await planOf(store, { kind: 'identity.role-assignment', projects: ['domain:default'], data: [{ field: 'userId', value: 'u' }], limit: 10 })
    expect(assignments).toContain('resources_identity_role_assignment_userId')
    expect(assignments).toMatch(lookedUp('userId'))
    // a filter nobody declared hot has no index to be looked up in
    const owners = await planOf(store, { kind: 'network.port', projects: ['p'], data: [{ field: 'deviceOwner', value: 'compute:nova' }], limit: 10 })
    expect(owners).not.toMatch(lookedUp('deviceOwner'))
  })
})
