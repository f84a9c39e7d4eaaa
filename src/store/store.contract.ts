import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Queries } from './queries.js'
import type { ResourceRecord } from './records.js'
import type { Store } from './store.js'

/** How a contract run gets a fresh, migrated store and removes it after. */
export interface StoreFactory {
  name: string
  open(): Promise<{ store: Store; reopen(): Promise<Store>; drop(): Promise<void> }>
}

const resource = (id: string, over: Partial<ResourceRecord> = {}): Omit<ResourceRecord, 'seq'> => ({
  id,
  kind: 'compute.server',
  project: 'p',
  name: id,
  status: 'building',
  phase: 'spawning',
  parentId: null,
  version: 1,
  data: { nested: { a: [1, 2] }, text: 'é ✓' },
  createdAt: 1_767_225_600_000,
  updatedAt: 1_767_225_600_000,
  eventSeq: 0,
  ...over,
})

/**
 * What every Store must do, whatever the database: the engine relies on each
 * of these. Run by `store.test.ts` on SQLite, and on PostgreSQL when the
 * test run has one.
 */
export function storeContract(factory: StoreFactory): void {
  describe(`Store contract: ${factory.name}`, () => {
    let store: Store
    let handle: Awaited<ReturnType<StoreFactory['open']>>
    beforeEach(async () => {
      handle = await factory.open()
      store = handle.store
    })
    afterEach(async () => {
      await store.close().catch(() => undefined)
      await handle.drop()
    })

    it('round-trips a resource, its JSON data and its epoch-millisecond times', async () => {
      await store.transaction((q) => q.insertResource(resource('a')))
      const got = await store.read.getResource('a')
      expect(got).toMatchObject(resource('a'))
      expect(typeof got!.createdAt).toBe('number')
      expect(typeof got!.seq).toBe('number')
    })

    it('updates only at the expected version', async () => {
      await store.transaction((q) => q.insertResource(resource('a')))
      const a = (await store.read.getResource('a'))!
      expect(await store.transaction((q) => q.updateResource({ ...a, status: 'active', version: 2 }, a))).toBe(true)
      expect(await store.transaction((q) => q.updateResource({ ...a, status: 'error', version: 2 }, a))).toBe(false)
      const renamed = { ...a, name: 'renamed', parentId: 'net-1', status: 'stopped', version: 3 }
      expect(await store.transaction((q) => q.updateResource(renamed, { ...a, version: 2 }))).toBe(true)
      expect(await store.read.getResource('a')).toMatchObject({ name: 'renamed', parentId: 'net-1', status: 'stopped', version: 3 })
      expect((await store.read.findByName('compute.server', ['p'], 'renamed')).map((r) => r.id)).toEqual(['a'])
      expect(await store.transaction((q) => q.deleteResource('a', 2))).toBe(false)
      expect(await store.transaction((q) => q.deleteResource('a', 3))).toBe(true)
    })

    it('rolls back everything a failed transaction wrote', async () => {
      await expect(
        store.transaction(async (q) => {
          await q.insertResource(resource('a'))
          await q.claimAddress('pool', '10.0.0.2', 'a')
          throw new Error('boom')
        }),
      ).rejects.toThrow('boom')
      expect(await store.read.getResource('a')).toBeUndefined()
      expect(await store.read.addressesIn('pool')).toEqual([])
    })

    it('gives each of many concurrent transactions its own outcome: failed ones leave nothing, the rest commit', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (q) => {
            await q.insertResource(resource(`c${i}`))
            await q.claimAddress('pool', `10.0.1.${i}`, `c${i}`)
            if (i % 3 === 1) throw new Error(`boom ${i}`)
            return i
          }),
        ),
      )
      outcomes.forEach((o, i) => {
        if (i % 3 === 1) expect(o).toMatchObject({ status: 'rejected', reason: { message: `boom ${i}` } })
        else expect(o).toEqual({ status: 'fulfilled', value: i })
      })
      const kept = await store.read.listResources({ kind: 'compute.server', projects: ['p'], limit: 100 })
      const expected = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 3 !== 1)
      expect(kept.map((r) => r.id).sort()).toEqual(expected.map((i) => `c${i}`).sort())
      expect((await store.read.addressesIn('pool')).sort()).toEqual(expected.map((i) => `10.0.1.${i}`).sort())
    })

    it('never lets a read see a write its transaction then rolls back', async () => {
      let seenDuring: Promise<unknown> | undefined
      await expect(
        store.transaction(async (q) => {
          await q.insertResource(resource('ghost'))
          seenDuring = store.read.getResource('ghost')
          // NOTE: give a read that wrongly ran inside the open transaction time to finish first.
          await new Promise((resolve) => setImmediate(resolve))
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect(await seenDuring).toBeUndefined()
    })

    it('finds by name in one project, or in a project and the shared scope', async () => {
      await store.transaction(async (q) => {
        await q.insertResource(resource('mine', { name: 'web' }))
        await q.insertResource(resource('shared', { name: 'web', project: '~shared' }))
        await q.insertResource(resource('theirs', { name: 'web', project: 'q' }))
      })
      expect((await store.read.findByName('compute.server', ['p'], 'web')).map((r) => r.id)).toEqual(['mine'])
      expect((await store.read.findByName('compute.server', ['p', '~shared'], 'web')).map((r) => r.id)).toEqual(['mine', 'shared'])
      expect(await store.read.findByName('compute.server', ['p'], 'db')).toEqual([])
    })

    it('never hands one address to two concurrent claimants', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.transaction((q) => q.claimAddress('pool', '10.0.0.9', `owner-${i}`))),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await store.read.countAddresses('pool')).toBe(1)
    })

    it('gives concurrent transactions distinct id numbers', async () => {
      const ids = await Promise.all(Array.from({ length: 50 }, () => store.transaction((q) => q.nextIdNumber())))
      expect(new Set(ids).size).toBe(50)
    })

    it('lets exactly one of many racing runners take a transition, moved on or deleted', async () => {
      await store.transaction(async (q) => {
        await q.insertResource(resource('a'))
        await q.insertTransition({ resourceId: 'a', operation: 'create', dueAt: 5, expectedVersion: 1, outcome: 'complete', detail: null, createdAt: 0 })
      })
      const [t] = await store.read.dueTransitions(10, 10)
      // NOTE: each winner moves the row on to a next phase, as the engine does: the others must see it moved, not take it again.
      const moved = await Promise.all(
        Array.from({ length: 100 }, () =>
          store.transaction(async (q) => ((await q.takeTransition(t!)) ? q.moveTransition(t!.id, { dueAt: 9, expectedVersion: 2, outcome: 'complete', detail: { phase: 'next' } }) : false)),
        ),
      )
      expect(moved.filter(Boolean)).toHaveLength(1)
      const [next] = await store.read.dueTransitions(10, 10)
      expect(next).toMatchObject({ id: t!.id, dueAt: 9, expectedVersion: 2, detail: { phase: 'next' } })
      // A runner handed the row (not reading it) takes it only as it is, due time included.
      const stale = { ...next!, dueAt: 8 }
      expect(await store.transaction(async (q) => [await q.takeTransition(stale), await q.deleteTransition(stale)])).toEqual([undefined, false])
      const deleted = await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.transaction(async (q) => ((await q.takeTransition(i % 2 ? t! : next!)) ? q.deleteTransition(next!) : false))),
      )
      expect(deleted.filter(Boolean)).toHaveLength(1)
      expect(await store.read.dueTransitions(10, 10)).toEqual([])
    })

    it('returns due transitions in due order, and the earliest due time', async () => {
      await store.transaction(async (q) => {
        for (const [id, due] of [['c', 30], ['a', 10], ['b', 20], ['later', 99]] as const) {
          await q.insertTransition({ resourceId: id, operation: 'create', dueAt: due, expectedVersion: 1, outcome: 'complete', detail: { why: id }, createdAt: 0 })
        }
      })
      expect((await store.read.dueTransitions(50, 10)).map((t) => t.resourceId)).toEqual(['a', 'b', 'c'])
      expect((await store.read.dueTransitions(50, 10))[0]!.detail).toEqual({ why: 'a' })
      expect(await store.read.earliestDue()).toBe(10)
    })

    it('pages by insertion order with filters', async () => {
      await store.transaction(async (q) => {
        for (let i = 0; i < 5; i++) await q.insertResource(resource(`r${i}`, { status: i % 2 ? 'active' : 'building', parentId: i < 3 ? 'net' : null }))
        await q.insertResource(resource('other', { project: 'q' }))
      })
      const first = await store.read.listResources({ kind: 'compute.server', projects: ['p'], limit: 2 })
      expect(first.map((r) => r.id)).toEqual(['r0', 'r1'])
      const next = await store.read.listResources({ kind: 'compute.server', projects: ['p'], limit: 10, afterSeq: first[1]!.seq })
      expect(next.map((r) => r.id)).toEqual(['r2', 'r3', 'r4'])
      expect((await store.read.listResources({ kind: 'compute.server', projects: ['p'], status: 'active', limit: 10 })).map((r) => r.id)).toEqual(['r1', 'r3'])
      expect((await store.read.listResources({ kind: 'compute.server', projects: ['p'], parentId: 'net', status: 'building', limit: 10 })).map((r) => r.id)).toEqual(['r0', 'r2'])
    })

    it('keeps its data and migrates idempotently when opened again', async () => {
      await store.transaction((q) => q.insertResource(resource('kept')))
      await store.close()
      store = await handle.reopen()
      expect(await store.read.getResource('kept')).toBeDefined()
    })

    // NOTE: reads answered from memory (SQLite's resource cache) must never be older than the store.
    it('reads the newest committed version after every kind of write, even right after a read', async () => {
      await store.transaction((q) => q.insertResource(resource('a')))
      const v1 = (await store.read.getResource('a'))!
      await store.transaction((q) => q.updateResource({ ...v1, status: 'active', version: 2 }, v1))
      expect((await store.read.getResource('a'))!).toMatchObject({ status: 'active', version: 2 })
      // a write that rolls back leaves the committed version readable
      await expect(
        store.transaction(async (q) => {
          await q.updateResource({ ...v1, status: 'error', version: 3 }, { ...v1, version: 2 })
          throw new Error('changed my mind')
        }),
      ).rejects.toThrow('changed my mind')
      expect((await store.read.getResource('a'))!).toMatchObject({ status: 'active', version: 2 })
      // inside a transaction, its own write is what it reads
      const seen = await store.transaction(async (q) => {
        await q.updateResource({ ...v1, status: 'stopped', version: 3 }, { ...v1, version: 2 })
        return (await q.getResource('a'))!.status
      })
      expect(seen).toBe('stopped')
      await store.transaction((q) => q.deleteResource('a', 3))
      expect(await store.read.getResource('a')).toBeUndefined()
    })

    it('reads, after transactions that commit together, what each left: not a rolled-back write, not a resource a wholesale write removed', async () => {
      await store.transaction(async (q) => {
        await q.insertResource(resource('a'))
        await q.insertResource(resource('b'))
      })
      const a1 = (await store.read.getResource('a'))!
      // NOTE: each schedules a transition on what it touches, as the engine does: what a store keeps in memory (SQLite) must be what committed.
      const due = (q: Queries, resourceId: string) => q.insertTransition({ resourceId, operation: 'create', dueAt: 5, expectedVersion: 1, outcome: 'complete', detail: null, createdAt: 0 })
      // NOTE: submitted at once, so a store that commits in groups (SQLite) runs them in one batch.
      const outcomes = await Promise.allSettled([
        store.transaction(async (q) => {
          await q.getResource('b')
          await due(q, 'b')
        }),
        store.transaction(async (q) => {
          await q.db.deleteFrom('resources').where('id', '=', 'b').execute()
          q.forgetResources()
        }),
        store.transaction(async (q) => {
          await q.updateResource({ ...a1, status: 'active', version: 2 }, a1)
          await due(q, 'a')
        }),
        store.transaction(async (q) => {
          await q.updateResource({ ...a1, status: 'error', version: 3 }, { ...a1, version: 2 })
          await due(q, 'a')
          throw new Error('rolled back')
        }),
        // NOTE: written right after its insert, as the engine does, before the database gave it its seq.
        store.transaction(async (q) => {
          await q.insertResource(resource('n'))
          await q.updateResource({ ...resource('n'), seq: 0, status: 'active', version: 2 }, { ...resource('n'), version: 1 })
          await due(q, 'n')
        }),
      ])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
      expect(await store.read.getResource('a')).toMatchObject({ status: 'active', version: 2 })
      expect(await store.read.getResource('b')).toBeUndefined()
      expect((await store.read.getResource('n'))!.seq).toBeGreaterThan(0)
    })

    // NOTE: lookups by name and ids found absent are answered from memory too (SQLite), once committed.
    it('finds by name and by id, after transactions that commit together, what each left: a name a later one took, not a rolled-back create, not a renamed or deleted resource', async () => {
      const ids = (rs: ResourceRecord[]) => rs.map((r) => r.id)
      const byName = (q: Queries, name: string) => q.findByName('compute.server', ['p'], name)
      await store.transaction(async (q) => {
        await q.insertResource(resource('g', { name: 'web' }))
        await q.insertResource(resource('d', { name: 'old' }))
      })
      // what the committed state answers now, so that a store that keeps it has it
      expect(ids(await byName(store.read, 'web'))).toEqual(['g'])
      expect(ids(await byName(store.read, 'old'))).toEqual(['d'])
      expect(await byName(store.read, 'db')).toEqual([])
      expect(await store.read.getResource('later')).toBeUndefined()
      const g = (await store.read.getResource('g'))!
      const outcomes = await Promise.allSettled([
        // a lookup and misses by id, then a later transaction of the batch (on SQLite) takes them
        // NOTE: what these reads find depends on the order the database runs the transactions in; only what they leave is checked.
        store.transaction(async (q) => {
          await byName(q, 'api')
          await q.getResource('later')
          await q.getResource('soon')
        }),
        store.transaction(async (q) => {
          await q.insertResource(resource('later', { name: 'api' }))
          await q.insertResource(resource('soon'))
        }),
        // a create rolled back, after its own lookup found it
        store.transaction(async (q) => {
          await q.insertResource(resource('ghost', { name: 'db' }))
          expect(ids(await byName(q, 'db'))).toEqual(['ghost'])
          throw new Error('rolled back')
        }),
        store.transaction(async (q) => {
          expect(ids(await byName(q, 'web'))).toEqual(['g'])
          await q.updateResource({ ...g, name: 'www', version: 2 }, g)
          expect(ids(await byName(q, 'www'))).toEqual(['g'])
        }),
        store.transaction(async (q) => {
          expect(ids(await byName(q, 'old'))).toEqual(['d'])
          await q.deleteResource('d', 1)
        }),
      ])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
      for (const q of [store.read, store.read]) {
        expect(ids(await byName(q, 'api'))).toEqual(['later'])
        expect(await q.getResource('later')).toMatchObject({ id: 'later', name: 'api' })
        expect(await q.getResource('soon')).toMatchObject({ id: 'soon' })
        expect(await byName(q, 'db')).toEqual([])
        expect(await q.getResource('ghost')).toBeUndefined()
        expect(await byName(q, 'web')).toEqual([])
        expect(ids(await byName(q, 'www'))).toEqual(['g'])
        expect(await byName(q, 'old')).toEqual([])
      }
      // and inside a transaction, its own writes over what is kept
      await store.transaction(async (q) => {
        await q.insertResource(resource('web2', { name: 'web' }))
        expect(ids(await byName(q, 'web'))).toEqual(['web2'])
        expect(await q.getResource('ghost')).toBeUndefined()
        await q.insertResource(resource('ghost', { name: 'ghost' }))
        expect(await q.getResource('ghost')).toMatchObject({ id: 'ghost' })
      })
      expect(ids(await byName(store.read, 'web'))).toEqual(['web2'])
      expect(await store.read.getResource('ghost')).toMatchObject({ id: 'ghost' })
    })

    // NOTE: the rules of an operation are read as each operation and phase begins, and kept in memory by SQLite.
    it('reads the fault rules that transactions committed together left: one a later transaction added, not one rolled back, not one used up', async () => {
      const rule = (kind: string, remaining: number | null = null) => ({ kind, operation: 'create', rule: { effect: { error: 500 } }, remaining, matched: 0, fired: 0, createdAt: 0 })
      const kinds = async (q: Queries) => (await q.faultsFor('compute.server', 'create')).map((f) => f.kind)
      expect(await kinds(store.read)).toEqual([])
      const stops = async (q: Queries) => (await q.faultsFor('compute.server', 'stop')).map((f) => f.operation)
      const outcomes = await Promise.allSettled([
        // NOTE: what these reads find depends on the order the database runs the transactions in; only what they leave is checked.
        store.transaction(async (q) => {
          await kinds(q)
          await stops(q)
        }),
        store.transaction(async (q) => {
          await q.insertFault(rule('compute.server'))
          await q.insertFault({ ...rule('compute.server'), operation: '*' })
        }),
        store.transaction(async (q) => {
          await q.insertFault(rule('*'))
          expect(await kinds(q)).toContain('*')
          throw new Error('rolled back')
        }),
        store.transaction(async (q) => kinds(q)),
      ])
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
      for (const q of [store.read, store.read]) {
        expect(await kinds(q)).toEqual(['compute.server', 'compute.server'])
        expect(await stops(q)).toEqual(['*'])
      }
      const once = await store.transaction((q) => q.insertFault(rule('*', 1)))
      expect(await kinds(store.read)).toEqual(['compute.server', 'compute.server', '*'])
      await store.transaction(async (q) => {
        expect(await kinds(q)).toEqual(['compute.server', 'compute.server', '*'])
        expect(await q.claimFault(once, true)).toBe(true)
      })
      expect(await kinds(store.read)).toEqual(['compute.server', 'compute.server'])
      await store.transaction((q) => q.clearFaults())
      expect(await kinds(store.read)).toEqual([])
    })

    it('reads what concurrent transactions committed, each seeing the one before it', async () => {
      await store.transaction((q) => q.insertResource(resource('c', { data: { n: 0 } })))
      await store.read.getResource('c')
      const bump = () =>
        store.transaction(async (q) => {
          const cur = (await q.getResource('c'))!
          const n = (cur.data as { n: number }).n + 1
          if (!(await q.updateResource({ ...cur, data: { n }, version: cur.version + 1 }, cur))) throw new Error('lost race')
          return n
        })
      const results = await Promise.allSettled(Array.from({ length: 10 }, bump))
      const won = results.filter((r) => r.status === 'fulfilled').length
      const got = (await store.read.getResource('c'))!
      expect(got.version).toBe(1 + won)
      expect((got.data as { n: number }).n).toBe(won)
    })

    it('hands out records a caller cannot change for the next reader', async () => {
      await store.transaction((q) => q.insertResource(resource('f')))
      const first = (await store.read.getResource('f'))!
      try {
        ;(first.data as { text: string }).text = 'changed'
      } catch {
        // frozen: as good as unchanged
      }
      expect(((await store.read.getResource('f'))!.data as { text: string }).text).toBe('é ✓')
    })

    const event = (resourceId: string, type: 'created' | 'changed' | 'deleted' = 'created') => ({
      at: 1,
      project: 'p',
      kind: 'k',
      resourceId,
      name: resourceId,
      type,
      operation: 'create',
      fromStatus: null,
      toStatus: 'x',
      version: 1,
      resource: { ...resource(resourceId), seq: 1 },
    })

    it('numbers events one after another, each with the resource it carries', async () => {
      const first = await store.transaction((q) => q.appendEvents([event('a'), event('a', 'changed'), event('a', 'deleted')], 100))
      expect(first.map((e) => e.seq)).toEqual([1, 2, 3])
      const listed = await store.read.listEvents({ limit: 10 })
      expect(listed.map((e) => [e.seq, e.type])).toEqual([[1, 'created'], [2, 'changed'], [3, 'deleted']])
      expect(listed[0]!.resource).toEqual({ ...resource('a'), seq: 1, eventSeq: 1 })
      expect((await store.read.listEvents({ afterSeq: 2, limit: 10 })).map((e) => e.seq)).toEqual([3])
      expect(await store.read.eventLog()).toEqual({ lastSeq: 3, floor: 0 })
    })

    it('gives each resource the number of the event that recorded its last write (a Kubernetes resourceVersion)', async () => {
      // a number already taken, so that the next ones do not start at 1
      await store.transaction((q) => q.appendEvents([event('x')], 100))
      const appended = await store.transaction(async (q) => {
        // as the engine does: each write, then the event that records it, appended as the transaction ends
        await q.insertResource(resource('a'), 1)
        await q.insertResource(resource('b'), 2)
        await q.updateResource({ ...resource('a'), seq: 0, status: 'active', version: 2 }, { ...resource('a'), version: 1 }, 3)
        await q.updateResource({ ...resource('b'), seq: 0, name: 'renamed', version: 2 }, { ...resource('b'), version: 1 }, 5)
        return q.appendEvents([event('a'), event('b'), event('a', 'changed'), event('gone', 'deleted'), event('b', 'changed')], 100)
      })
      expect((await store.read.getResource('a'))!.eventSeq).toBe(appended[2]!.seq)
      expect((await store.read.getResource('b'))!.eventSeq).toBe(appended[4]!.seq)
      // a resource loaded without a write of its own, numbered the same way; and a rolled-back transaction changes nothing
      await expect(
        store.transaction(async (q) => {
          await q.updateResource({ ...resource('a'), seq: 0, status: 'error', version: 3 }, { ...resource('a'), version: 2 }, 1)
          await q.appendEvents([event('a', 'changed')], 100)
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      const [loaded] = await store.transaction(async (q) => {
        await q.numberResourceEvent('a', 1)
        return q.appendEvents([event('a', 'changed')], 100)
      })
      expect(loaded!.seq).toBe(appended[4]!.seq + 1)
      expect((await store.read.getResource('a'))!).toMatchObject({ status: 'active', eventSeq: loaded!.seq })
    })

    it('leaves no gap where a transaction rolled back', async () => {
      await store.transaction((q) => q.appendEvents([event('a')], 100))
      await expect(
        store.transaction(async (q) => {
          await q.appendEvents([event('b')], 100)
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      await store.transaction((q) => q.appendEvents([event('c')], 100))
      expect((await store.read.listEvents({ limit: 10 })).map((e) => [e.seq, e.resourceId])).toEqual([[1, 'a'], [2, 'c']])
    })

    it('keeps the newest events within the retention, and says where the history starts', async () => {
      for (let i = 0; i < 25; i++) await store.transaction((q) => q.appendEvents([event(`r${i}`)], 10))
      const { lastSeq, floor } = await store.read.eventLog()
      expect(lastSeq).toBe(25)
      // NOTE: pruned as the numbers cross a multiple of retention/10 (1): down to the newest 10.
      expect(floor).toBe(15)
      expect((await store.read.listEvents({ limit: 100 })).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 16 + i))
    })

    it('never hands a number out again, even after the events holding it are gone', async () => {
      await store.transaction((q) => q.appendEvents([event('a'), event('b'), event('c')], 100))
      // NOTE: a project reset deletes that project's events, the newest among them.
      await store.transaction((q) => q.db.deleteFrom('events').where('seq', '>=', 2).execute())
      expect((await store.transaction((q) => q.appendEvents([event('d')], 100))).map((e) => e.seq)).toEqual([4])
      await store.transaction((q) => q.truncateEventLog())
      expect(await store.read.eventLog()).toEqual({ lastSeq: 4, floor: 4 })
      expect((await store.transaction((q) => q.appendEvents([event('e')], 100))).map((e) => e.seq)).toEqual([5])
      const reopened = await handle.reopen()
      try {
        expect(await reopened.read.eventLog()).toEqual({ lastSeq: 5, floor: 4 })
      } finally {
        await reopened.close()
      }
    })

    it('prunes a tenth of the retention at a time', async () => {
      for (let i = 0; i < 25; i++) await store.transaction((q) => q.appendEvents(Array.from({ length: 10 }, (_, j) => event(`r${i}-${j}`)), 100))
      expect(await store.read.eventLog()).toEqual({ lastSeq: 250, floor: 150 })
      expect((await store.read.listEvents({ limit: 1000 })).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i))
    })

    it('filters a replay by project and kind', async () => {
      await store.transaction((q) => q.appendEvents([event('a'), { ...event('b'), project: 'q' }, { ...event('c'), kind: 'other' }], 100))
      expect((await store.read.listEvents({ projects: ['p'], limit: 10 })).map((e) => e.resourceId)).toEqual(['a', 'c'])
      expect((await store.read.listEvents({ projects: ['p'], kinds: ['k'], limit: 10 })).map((e) => e.resourceId)).toEqual(['a'])
      expect(await store.read.listEvents({ projects: [], limit: 10 })).toEqual([])
    })

    it('numbers 300 concurrent transactions in commit order: every number once, no gap', async () => {
      const seen: number[][] = []
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          store.transaction(async (q) => {
            const appended = await q.appendEvents(Array.from({ length: 1 + (i % 3) }, (_, j) => event(`r${i}-${j}`)), 100_000)
            seen.push(appended.map((e) => e.seq))
          }),
        ),
      )
      const all = seen.flat().sort((a, b) => a - b)
      expect(all).toEqual(Array.from({ length: 600 }, (_, i) => i + 1))
      // NOTE: one transaction's events are consecutive.
      for (const s of seen) expect(s).toEqual(Array.from({ length: s.length }, (_, j) => s[0]! + j))
      expect((await store.read.listEvents({ limit: 1000 })).map((e) => e.seq)).toEqual(all)
    })
  })
}
