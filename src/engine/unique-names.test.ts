import { Type } from 'typebox'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE, type TestDb } from '../../test/helpers/store.js'
import { ManualClock } from '../clock/manual-clock.js'
import { SeededRandom } from '../random/seeded-random.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { defineKind } from './define-kind.js'
import { Engine } from './engine.js'
import { InProcessEventBus } from './event-bus.js'
import { IMMEDIATE } from './kinds/common.js'
import { KindRegistry } from './registry.js'
import { Timing } from './timing.js'

/** A kind whose names are unique in their scope, as Kubernetes objects' are in a namespace. */
const namedKind = defineKind<{ note: string }>({
  id: 'test.named',
  names: ['named'],
  data: Type.Object({ note: Type.String() }),
  states: ['active'],
  operations: IMMEDIATE,
  uniqueNames: true,
  updatable: { data: ['note'] },
  hooks: {
    create: (tx, project, input) => tx.create('test.named', { project, name: String(input['name']), data: { note: '' } }),
  },
})

describe(`unique names per scope on ${TEST_STORE}`, () => {
  let db: TestDb
  let store: Store
  let engine: Engine
  beforeEach(async () => {
    db = freshDb()
    store = await openStore(db.location)
    const registry = new KindRegistry([namedKind as never])
    engine = new Engine({ store, clock: new ManualClock(0), random: new SeededRandom('1'), timing: new Timing(registry, 'fast', []), registry, bus: new InProcessEventBus() })
  })
  afterEach(async () => {
    await store.close()
    await db.drop()
  })

  it('300 concurrent creates of one name in one scope: one is made, 299 get a 409 naming it; other scopes are free', async () => {
    const results = await Promise.allSettled(Array.from({ length: 300 }, () => engine.create('ns-a', 'test.named', { name: 'web' })))
    const made = results.filter((r) => r.status === 'fulfilled')
    expect(made).toHaveLength(1)
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409, message: expect.stringMatching(/^a named named 'web' already exists in ns-a/) })
    }
    expect((await engine.list('ns-a', 'test.named', { name: 'web' })).items).toHaveLength(1)
    await expect(engine.create('ns-b', 'test.named', { name: 'web' })).resolves.toMatchObject({ project: 'ns-b', name: 'web' })
  })

  it('a rename to a taken name is refused, also when 200 renames race for one free name', async () => {
    const a = await engine.create('ns', 'test.named', { name: 'a' })
    await engine.create('ns', 'test.named', { name: 'b' })
    await expect(engine.update('ns', 'test.named', a.id, { name: 'b' })).rejects.toMatchObject({ status: 409 })
    await expect(engine.update('ns', 'test.named', a.id, { name: 'a', data: { note: 'same name is fine' } })).resolves.toMatchObject({ name: 'a' })
    const others = await Promise.all(Array.from({ length: 200 }, (_, i) => engine.create('ns', 'test.named', { name: `o${i}` })))
    const results = await Promise.allSettled(others.map((o) => engine.update('ns', 'test.named', o.id, { name: 'free' })))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect((await engine.list('ns', 'test.named', { name: 'free' })).items).toHaveLength(1)
  })
})
