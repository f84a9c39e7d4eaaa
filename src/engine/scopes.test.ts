import { Type } from 'typebox'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE, type TestDb } from '../../test/helpers/store.js'
import { ManualClock } from '../clock/manual-clock.js'
import { SeededRandom } from '../random/seeded-random.js'
import { openStore } from '../store/open-store.js'
import type { Store } from '../store/store.js'
import { defineKind, type KindDef } from './define-kind.js'
import { Engine } from './engine.js'
import { NotFoundError, ValidationError } from './errors.js'
import { InProcessEventBus } from './event-bus.js'
import { addFault, InjectedFaultError } from './faults.js'
import { IMMEDIATE } from './kinds/common.js'
import { KindRegistry } from './registry.js'
import { isWithin, parseScope, scopes } from './scope.js'
import { exportSnapshot, importSnapshot, resetState } from './state-control.js'
import { Timing } from './timing.js'

/** A kind of each scope type, as the Kubernetes and pool faces will declare theirs. */
function kindIn(id: string, scope: KindDef['scope']): KindDef<{ note: string }> {
  return defineKind<{ note: string }>({
    id,
    names: [id.split('.')[1]!],
    data: Type.Object({ note: Type.String() }),
    states: ['active'],
    operations: IMMEDIATE,
    scope,
    uniqueNames: true,
    hooks: { create: (tx, scopeKey, input) => tx.create(id, { project: scopeKey, name: String(input['name']), data: { note: '' } }) },
  })
}
const KINDS = [kindIn('kube.namespace', 'cluster'), kindIn('kube.vm', 'namespace'), kindIn('pool.pod', 'pool'), kindIn('test.thing', 'project')]

describe('scope keys', () => {
  it('builds and reads back each type of scope, and names what is wrong with a bad one', () => {
    expect(scopes.namespace('dev', 'default')).toBe('cluster:dev/default')
    expect(parseScope('cluster:dev/default')).toEqual({ type: 'namespace', cluster: 'dev', namespace: 'default' })
    expect(parseScope('cluster:dev')).toEqual({ type: 'cluster', cluster: 'dev' })
    expect(parseScope('pool:default-pool')).toEqual({ type: 'pool', pool: 'default-pool' })
    expect(parseScope('acme')).toEqual({ type: 'project', project: 'acme' })
    for (const bad of ['cluster:Dev', 'cluster:dev/a/b', 'cluster:', 'pool:', 'team a', 'vm:x', 'cluster:dev/']) {
      expect(() => parseScope(bad, 'match.scope'), bad).toThrow(ValidationError)
      expect(() => parseScope(bad, 'match.scope'), bad).toThrow(/^match\.scope: /)
    }
    expect(() => scopes.cluster('Dev')).toThrow(/cluster: 'Dev' is not a cluster name/)
    expect([isWithin('cluster:dev/default', 'cluster:dev'), isWithin('cluster:dev', 'cluster:dev'), isWithin('cluster:dev2/default', 'cluster:dev')]).toEqual([true, true, false])
  })
})

describe(`scopes on ${TEST_STORE}`, () => {
  let db: TestDb
  let store: Store
  let engine: Engine
  const dev = scopes.cluster('dev')
  const dev2 = scopes.cluster('dev2')
  const devDefault = scopes.namespace('dev', 'default')
  const devTeam = scopes.namespace('dev', 'team')
  const dev2Default = scopes.namespace('dev2', 'default')

  beforeEach(async () => {
    db = freshDb()
    store = await openStore(db.location)
    const registry = new KindRegistry(KINDS as never)
    engine = new Engine({ store, clock: new ManualClock(0), random: new SeededRandom('1'), timing: new Timing(registry, 'fast', []), registry, bus: new InProcessEventBus() })
  })
  afterEach(async () => {
    await store.close()
    await db.drop()
  })

  const make = (scope: string, kind: string, name: string) => engine.create(scope, kind, { name })

  it('a resource lives only in the type of scope its kind declares', async () => {
    await make(dev, 'kube.namespace', 'default')
    await make(devDefault, 'kube.vm', 'web')
    await make(scopes.pool('p1'), 'pool.pod', 'pod-1')
    const refused: Array<[string, string, RegExp]> = [
      ['acme', 'kube.vm', /a vm lives in a namespace, not in 'acme'/],
      [dev, 'kube.vm', /a vm lives in a namespace, not in 'cluster:dev'/],
      [devDefault, 'kube.namespace', /a namespace lives in a cluster/],
      [dev, 'pool.pod', /a pod lives in a pool/],
      [scopes.pool('p1'), 'test.thing', /a thing lives in a project/],
    ]
    for (const [scope, kind, message] of refused) {
      const err = await make(scope, kind, 'x').catch((e: unknown) => e)
      expect(err, `${kind} in ${scope}`).toBeInstanceOf(ValidationError)
      expect((err as ValidationError).field).toBe('scope')
      expect((err as Error).message).toMatch(message)
    }
    expect((await store.read.listEvents({ limit: 100 })).map((e) => e.name)).toEqual(['default', 'web', 'pod-1'])
  })

  it('a namespace sees its own resources only; the same name lives in two namespaces', async () => {
    const a = await make(devDefault, 'kube.vm', 'web')
    const b = await make(devTeam, 'kube.vm', 'web')
    expect(a.id).not.toBe(b.id)
    expect((await engine.get(devDefault, 'kube.vm', a.id)).project).toBe(devDefault)
    await expect(engine.get(devTeam, 'kube.vm', a.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(engine.get(dev, 'kube.vm', a.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(make(devDefault, 'kube.vm', 'web')).rejects.toThrow(/already exists/)
  })

  it('lists one scope, or it and every scope it holds, never a cluster whose name merely starts the same', async () => {
    await make(dev, 'kube.namespace', 'default')
    await make(devDefault, 'kube.vm', 'a')
    await make(devTeam, 'kube.vm', 'b')
    await make(dev2Default, 'kube.vm', 'c')
    const names = async (scope: string, opts = {}) => (await engine.list(scope, 'kube.vm', opts)).items.map((r) => r.name)
    expect(await names(devDefault)).toEqual(['a'])
    expect(await names(dev, { withinScope: true })).toEqual(['a', 'b'])
    expect(await names(dev2, { withinScope: true })).toEqual(['c'])
    expect(await names(dev)).toEqual([])
    expect(await names(devTeam, { withinScope: true })).toEqual(['b'])
  })

  it('resets a cluster with its namespaces, recording each removal; another cluster, a pool and a project stay', async () => {
    const gone = [await make(dev, 'kube.namespace', 'default'), await make(devDefault, 'kube.vm', 'a'), await make(devTeam, 'kube.vm', 'b')]
    const kept = [await make(dev2Default, 'kube.vm', 'c'), await make(scopes.pool('p1'), 'pool.pod', 'pod-1'), await make('acme', 'test.thing', 't')]
    const before = await engine.history.position()
    expect(await resetState(engine, { scope: dev })).toBe(3)
    for (const r of gone) expect(await store.read.getResource(r.id)).toBeUndefined()
    for (const r of kept) expect((await store.read.getResource(r.id))?.id).toBe(r.id)
    const events = await engine.history.replay(before.lastSeq)
    expect(events.map((e) => [e.type, e.operation, e.resourceId, e.toStatus])).toEqual(gone.map((r) => ['deleted', 'reset', r.id, null]))
    // NOTE: the history before the reset is kept: a watcher can still replay it.
    expect((await engine.history.replay(0)).length).toBe(6 + 3)
    expect(await resetState(engine, { scope: devTeam })).toBe(0)
    expect(await resetState(engine, { scope: dev2Default })).toBe(1)
    expect((await engine.list(dev2, 'kube.vm', { withinScope: true })).items).toEqual([])
  })

  it("a cluster's snapshot holds its namespaces too, and loads back in their place, another cluster untouched", async () => {
    const ns = await make(dev, 'kube.namespace', 'default')
    const a = await make(devDefault, 'kube.vm', 'a')
    const c = await make(dev2Default, 'kube.vm', 'c')
    const snap = await exportSnapshot(engine, { scope: dev })
    expect(snap.state.resources.map((r) => r.id)).toEqual([ns.id, a.id])
    await resetState(engine, { scope: dev })
    const later = await make(devTeam, 'kube.vm', 'later')
    expect(await importSnapshot(engine, snap)).toEqual({ resources: 2, transitions: 0 })
    // NOTE: loaded twice in a row (a test's fixture restored before each test): the id counter never goes back.
    expect(await importSnapshot(engine, snap)).toEqual({ resources: 2, transitions: 0 })
    expect((await engine.list(dev, 'kube.vm', { withinScope: true })).items.map((r) => r.id)).toEqual([a.id])
    expect((await engine.get(dev2Default, 'kube.vm', c.id)).name).toBe('c')
    // NOTE: a new create after the load never takes an id the snapshot brought back.
    expect([ns.id, a.id, c.id, later.id]).not.toContain((await make(devDefault, 'kube.vm', 'b')).id)
  })

  it("refuses a snapshot that puts a resource in another type of scope, or loads the shared scope", async () => {
    const a = await make(devDefault, 'kube.vm', 'a')
    const snap = await exportSnapshot(engine, { scope: dev })
    const moved = structuredClone(snap)
    moved.state.resources[0]!.project = dev
    await expect(importSnapshot(engine, moved)).rejects.toMatchObject({ field: 'state.resources[0].project', message: expect.stringMatching(/lives in a namespace/) })
    await expect(importSnapshot(engine, { ...snap, scope: '~shared', state: { ...snap.state, resources: [] } })).rejects.toMatchObject({ field: 'scope' })
    expect((await engine.get(devDefault, 'kube.vm', a.id)).name).toBe('a')
  })

  it("resets of a namespace and of its cluster at once take turns: each resource's removal is recorded once", async () => {
    for (let round = 0; round < 5; round++) {
      const made = await Promise.all(Array.from({ length: 40 }, (_, i) => make(i % 2 ? devDefault : devTeam, 'kube.vm', `r${round}-${i}`)))
      const before = (await engine.history.position()).lastSeq
      const [inner, outer] = await Promise.all([resetState(engine, { scope: devDefault }), resetState(engine, { scope: dev })])
      expect(inner + outer).toBe(made.length)
      const deleted = (await engine.history.replay(before, { within: dev }, 1000)).filter((e) => e.type === 'deleted').map((e) => e.resourceId)
      expect(deleted.sort()).toEqual(made.map((r) => r.id).sort())
    }
  })

  it('a fault rule with match.scope fires in that scope and those it holds only', async () => {
    await store.transaction((q) => addFault(q, engine.registry, { kind: 'kube.vm', operation: 'create', match: { scope: dev }, effect: { error: { status: 503, message: 'dev is down' } } }, 0))
    await expect(make(devDefault, 'kube.vm', 'a')).rejects.toBeInstanceOf(InjectedFaultError)
    await expect(make(devTeam, 'kube.vm', 'b')).rejects.toBeInstanceOf(InjectedFaultError)
    expect((await make(dev2Default, 'kube.vm', 'c')).name).toBe('c')
    const bad = await store.transaction((q) => addFault(q, engine.registry, { kind: '*', operation: '*', match: { scope: 'cluster:Dev' }, effect: { stuck: true } }, 0)).catch((e: unknown) => e)
    expect((bad as ValidationError).field).toBe('match.scope')
  })

  it('replays and watches the events of a scope and those it holds', async () => {
    await make(devDefault, 'kube.vm', 'a')
    await make(dev2Default, 'kube.vm', 'b')
    await make(dev, 'kube.namespace', 'default')
    expect((await engine.history.replay(0, { within: dev })).map((e) => e.name)).toEqual(['a', 'default'])
    const seen: string[] = []
    let last!: () => void
    const lastSeen = new Promise<void>((resolve) => (last = resolve))
    const watch = await engine.history.watch({ afterSeq: 0, filter: { within: dev } }, (e) => (seen.push(e.name), e.name === 'e' && last()), () => undefined)
    await make(devTeam, 'kube.vm', 'c')
    await make(dev2Default, 'kube.vm', 'd')
    await make(devTeam, 'kube.vm', 'e')
    // NOTE: delivered in number order: once 'e' is here, 'd' (between them) was passed over, not pending.
    await lastSeen
    watch.stop()
    expect(seen).toEqual(['a', 'default', 'c', 'e'])
  })

  it('200 creates in a cluster racing its reset: each is removed by the reset or made after it, never left half', async () => {
    const creates = Array.from({ length: 200 }, (_, i) => make(i % 2 ? devDefault : devTeam, 'kube.vm', `vm-${i}`).then(
      (r) => r.id,
      (e: unknown) => e,
    ))
    const reset = resetState(engine, { scope: dev })
    const [ids, removed] = await Promise.all([Promise.all(creates), reset])
    expect(ids.every((id) => typeof id === 'string')).toBe(true)
    const events = await engine.history.replay(0, { within: dev }, 1000)
    const resetAt = events.find((e) => e.operation === 'reset')?.seq ?? Number.POSITIVE_INFINITY
    const deletedByReset = new Set(events.filter((e) => e.operation === 'reset').map((e) => e.resourceId))
    expect(deletedByReset.size).toBe(removed)
    for (const e of events.filter((x) => x.type === 'created')) {
      const alive = (await store.read.getResource(e.resourceId)) !== undefined
      // NOTE: created before the reset committed: it went with it, and its deletion is recorded; after: it lives.
      expect([e.name, alive, deletedByReset.has(e.resourceId)]).toEqual([e.name, e.seq > resetAt, e.seq < resetAt])
    }
    expect(events.filter((x) => x.type === 'created')).toHaveLength(200)
  })
})
