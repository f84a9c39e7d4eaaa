import { describe, expect, it } from 'vitest'
import { useRuntime } from '../../test/helpers/runtime.js'
import { TEST_STORE } from '../../test/helpers/store.js'
import type { ResourceRecord } from '../store/records.js'
import { ConflictError, EMU_ERR_EXHAUSTED, ForbiddenError, UnauthorizedError, ValidationError } from './errors.js'
import { keyId } from './identity/identity.js'
import { addFault, InjectedFaultError } from './faults.js'
import type { PodData } from './kinds/pod.kind.js'
import type { PoolData } from './kinds/pool.kind.js'
import { scopes } from './scope.js'
import { exportSnapshot, importSnapshot, resetState } from './state-control.js'

type Pod = ResourceRecord<PodData>

/** Pools and pods in the engine (seed 004, issue 12): provisioning, claims, the reconcile that keeps spares, capacity. */
describe(`pools on ${TEST_STORE}`, () => {
  const t = useRuntime('pools')

  const createPool = async (name: string, settings: Record<string, unknown> = {}) => (await t.engine.create(scopes.pool(name), 'pool.pool', { name, ...settings })) as ResourceRecord<PoolData>
  const pods = async (name: string) => (await t.engine.list(scopes.pool(name), 'pool.pod', { limit: 1000 })).items as Pod[]
  const claim = (pool: ResourceRecord<PoolData>, workspaceId: string) => t.engine.act(pool.project, 'pool.pool', pool.id, 'claim', { workspaceId }) as Promise<Pod>
  const podAct = (pod: Pod, action: string, args: Record<string, unknown> = {}) => t.engine.act(pod.project, 'pool.pod', pod.id, action, args) as Promise<Pod>
  const statuses = async (name: string) => (await pods(name)).map((p) => p.status).sort()
  const advance = async (ms: number) => {
    await t.clock.advance(ms)
    await t.rt.scheduler.idle()
  }

  it('provisions `size` pods that become free, each with its own name and password', async () => {
    await createPool('default-pool', { size: 5 })
    expect(await statuses('default-pool')).toEqual(Array(5).fill('provisioning'))
    await advance(3_000)
    const ready = await pods('default-pool')
    expect(ready.map((p) => p.status)).toEqual(Array(5).fill('free'))
    expect(ready.map((p) => p.name)).toEqual(['default-pool-1', 'default-pool-2', 'default-pool-3', 'default-pool-4', 'default-pool-5'])
    expect(new Set(ready.map((p) => p.data.password)).size).toBe(5)
    for (const p of ready) expect(p.data.password).toMatch(/^[0-9a-f]{24}$/)
  })

  it('hands a workspace a free pod, the same one again when it asks again, and replaces the spare it took', async () => {
    const pool = await createPool('p', { size: 2 })
    await advance(3_000)
    const pod = await claim(pool, 'workspace-123')
    expect([pod.status, pod.data.claimedBy, pod.data.claimedAt]).toEqual(['used', 'workspace-123', t.clock.now()])
    expect((await claim(pool, 'workspace-123')).id).toBe(pod.id)
    expect(await statuses('p')).toEqual(['free', 'provisioning', 'used'])
    await advance(3_000)
    expect(await statuses('p')).toEqual(['free', 'free', 'used'])
  })

  it('releases a pod to free, and lets go of a spare beyond `size`', async () => {
    const pool = await createPool('p', { size: 1 })
    await advance(3_000)
    const pod = await claim(pool, 'w1')
    await advance(3_000)
    const released = await podAct(pod, 'release')
    expect([released.status, released.data.claimedBy]).toEqual(['free', null])
    expect((await pods('p')).filter((p) => p.status === 'deleting').length).toBe(1)
    await advance(3_000)
    expect((await pods('p')).map((p) => [p.id === pod.id, p.status])).toEqual([[true, 'free']])
  })

  it('makes a pod on demand when none is spare, ends its provisioning used, and refuses past the capacity without making one', async () => {
    const pool = await createPool('p', { size: 0, capacity: 2 })
    expect(await pods('p')).toEqual([])
    const a = await claim(pool, 'w1')
    expect([a.status, a.data.claimedBy]).toEqual(['provisioning', 'w1'])
    await claim(pool, 'w2')
    const full = await claim(pool, 'w3').catch((e: unknown) => e)
    expect(full).toBeInstanceOf(ConflictError)
    expect((full as ConflictError).code).toBe(EMU_ERR_EXHAUSTED)
    expect((full as Error).message).toMatch(/pool p is full: all 2 of its pods are taken/)
    expect((await pods('p')).length).toBe(2)
    await advance(3_000)
    expect(await statuses('p')).toEqual(['used', 'used'])
  })

  it('marks a pod used, idempotently, and syncs repositories through syncing', async () => {
    const pool = await createPool('p', { size: 1 })
    await advance(3_000)
    const [free] = await pods('p')
    const used = await podAct(free!, 'markUsed')
    expect(used.status).toBe('used')
    expect((await podAct(used, 'markUsed')).status).toBe('used')
    const syncing = await podAct(used, 'sync', { repositories: ['owner/repo1', 'owner/repo2'] })
    expect(syncing.status).toBe('syncing')
    await advance(2_000)
    const synced = await t.engine.get(pool.project, 'pool.pod', used.id)
    expect([synced.status, (synced.data as PodData).repositories]).toEqual(['used', ['owner/repo1', 'owner/repo2']])
    const bad = await podAct(synced as Pod, 'sync', { repositories: ['owner/repo', 'not a repo'] }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(ValidationError)
    expect((bad as ValidationError).field).toBe('repositories[1]')
  })

  it('replaces a pod whose provisioning failed, and a claim or sync can be failed by a fault rule', async () => {
    const pool = await createPool('p', { size: 1, capacity: 3 })
    await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pod', operation: 'create', effect: { failLifecycle: true }, count: 1 }, 0))
    await createPool('q', { size: 1 })
    await advance(3_000)
    expect(await statuses('q')).toEqual(['error', 'provisioning'])
    await advance(3_000)
    expect(await statuses('q')).toEqual(['error', 'free'])
    await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pool', operation: 'claim', effect: { error: { status: 503, message: 'pool manager down' } }, count: 1 }, t.clock.now()))
    expect(await claim(pool, 'w1').catch((e: unknown) => e)).toBeInstanceOf(InjectedFaultError)
    const pod = await claim(pool, 'w1')
    await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pod', operation: 'sync', effect: { failLifecycle: true }, count: 1 }, t.clock.now()))
    await podAct(pod, 'sync', { repositories: ['o/r'] })
    await advance(2_000)
    const after = (await t.engine.get(pool.project, 'pool.pod', pod.id)) as Pod
    expect(after.status).toBe('used')
    expect(after.data.fault?.message).toMatch(/simulated failure of pod sync/)
  })

  it('a fault rule crashes the pod a claim hands out, after the time it gives, whatever the pod does meanwhile; the pool replaces it', async () => {
    const pool = await createPool('crashy', { size: 1, capacity: 4 })
    await advance(3_000)
    const rule = { kind: 'pool.pod', operation: 'claim', effect: { crashAfterMs: 60_000 }, count: 1 }
    const fault = await t.engine.store.transaction((q) => addFault(q, t.engine.registry, rule, t.clock.now()))
    const pod = await claim(pool, 'w1')
    expect(pod.status).toBe('used')
    await advance(3_000)
    // NOTE: other operations meanwhile (a sync, mark-used) do not cancel the crash.
    await podAct(pod, 'sync', { repositories: ['o/r'] })
    await advance(3_000)
    await podAct(pod, 'markUsed')
    await advance(50_000)
    expect(((await t.engine.get(pool.project, 'pool.pod', pod.id)) as Pod).status).toBe('used')
    await advance(4_000)
    const crashed = (await t.engine.get(pool.project, 'pool.pod', pod.id)) as Pod
    expect([crashed.status, crashed.data.claimedBy]).toEqual(['error', 'w1'])
    expect(crashed.data.fault?.message).toBe(`mockcloud: simulated crash of pod ${crashed.name} (fault rule ${fault.id})`)
    // The next claim is not crashed (count 1); the dead pod is given back by releasing it, which tears it down.
    const other = await claim(pool, 'w2')
    await advance(70_000)
    expect(((await t.engine.get(pool.project, 'pool.pod', other.id)) as Pod).status).toBe('used')
    expect((await podAct(crashed, 'release')).status).toBe('deleting')
    await advance(3_000)
    expect((await pods('crashy')).map((p) => p.id)).not.toContain(pod.id)
    expect(await statuses('crashy')).toEqual(['free', 'used'])
  })

  it('crashes pods as they are made, and refuses a crash for a kind that cannot crash or with an effect that stops the operation', async () => {
    await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pod', operation: 'create', match: { scope: 'pool:doomed' }, effect: { crashAfterMs: 10_000 } }, t.clock.now()))
    await createPool('doomed', { size: 2, capacity: 3 })
    await advance(3_000)
    expect(await statuses('doomed')).toEqual(['free', 'free'])
    await advance(8_000)
    // NOTE: both crashed, and the pool made what its capacity allowed in their place (which crashes too).
    expect(await statuses('doomed')).toEqual(['error', 'error', 'provisioning'])
    const refuse = (rule: Record<string, unknown>) => t.engine.store.transaction((q) => addFault(q, t.engine.registry, rule as never, t.clock.now())).catch((e: unknown) => e)
    expect(await refuse({ kind: 'compute.server', operation: 'create', effect: { crashAfterMs: 1 } })).toMatchObject({ field: 'effect.crashAfterMs' })
    expect(await refuse({ kind: '*', operation: '*', effect: { crashAfterMs: 1 } })).toMatchObject({ field: 'effect.crashAfterMs' })
    expect(await refuse({ kind: 'pool.pod', operation: 'create', effect: { crashAfterMs: 1, stuck: true } })).toMatchObject({ field: 'effect' })
    expect(await refuse({ kind: 'pool.pod', operation: 'create', effect: { crashAfterMs: -1 } })).toBeInstanceOf(ValidationError)
    expect(await refuse({ kind: 'pool.pod', operation: 'crash', effect: { latencyMs: 1 } })).toMatchObject({ field: 'operation' })
    expect(await refuse({ kind: 'pool.pod', operation: 'delete', effect: { crashAfterMs: 1 } })).toMatchObject({ field: 'effect.crashAfterMs' })
  })

  it('a crash rule on claim catches a pod handed out still provisioning and one made on demand; rules of operations a hook began are not used up', async () => {
    const pool = await createPool('early', { size: 1, capacity: 3 })
    const crash = await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pod', operation: 'claim', effect: { crashAfterMs: 10_000 }, count: 2 }, t.clock.now()))
    const spare = await claim(pool, 'w1')
    const onDemand = await claim(pool, 'w2')
    expect([spare.status, onDemand.status]).toEqual(['provisioning', 'provisioning'])
    await advance(3_000)
    expect(((await t.engine.get(pool.project, 'pool.pod', spare.id)) as Pod).status).toBe('used')
    await advance(8_000)
    for (const p of [spare, onDemand]) expect(((await t.engine.get(pool.project, 'pool.pod', p.id)) as Pod).status).toBe('error')
    const rules = await t.engine.store.read.listFaults()
    expect(rules.find((r) => r.id === crash.id)).toMatchObject({ fired: 2, remaining: 0 })
    // NOTE: a pod delete the reconcile begins (a trim) asks no rule: a stuck rule on delete is left for a delete a request makes.
    const stuck = await t.engine.store.transaction((q) => addFault(q, t.engine.registry, { kind: 'pool.pod', operation: 'delete', effect: { stuck: true }, count: 1 }, t.clock.now()))
    await t.engine.act(pool.project, 'pool.pool', pool.id, 'configure', { size: 0 })
    await advance(3_000)
    expect(await statuses('early')).toEqual(['error', 'error'])
    expect((await t.engine.store.read.listFaults()).find((r) => r.id === stuck.id)).toMatchObject({ fired: 0, remaining: 1 })
  })

  it('takes new settings: more spares for a larger size, and no capacity below the pods it holds', async () => {
    const pool = await createPool('p', { size: 1, capacity: 4 })
    await claim(pool, 'w1')
    await claim(pool, 'w2')
    const refused = await t.engine.act(pool.project, 'pool.pool', pool.id, 'configure', { capacity: 1 }).catch((e: unknown) => e)
    expect((refused as Error).message).toMatch(/capacity: pool p holds 2 pods that are claimed/)
    const bigger = (await t.engine.act(pool.project, 'pool.pool', pool.id, 'configure', { size: 2, domain: 'pods.example.com' })) as ResourceRecord<PoolData>
    expect(bigger.data).toMatchObject({ size: 2, capacity: 4, domain: 'pods.example.com' })
    expect((await pods('p')).length).toBe(4)
    const bad = await t.engine.act(pool.project, 'pool.pool', pool.id, 'configure', { ports: [3000, 3000] }).catch((e: unknown) => e)
    expect((bad as ValidationError).field).toBe('ports[1]')
  })

  it('deletes a pool with its pods, and names the field of a bad setting', async () => {
    const pool = await createPool('p', { size: 2 })
    await t.engine.delete(pool.project, 'pool.pool', pool.id)
    expect(await statuses('p')).toEqual(['deleting', 'deleting'])
    await advance(3_000)
    expect(await pods('p')).toEqual([])
    for (const [settings, field] of [[{ size: 5, capacity: 2 }, 'size'], [{ capacity: 0 }, 'capacity'], [{ domain: 'bad domain' }, 'domain'], [{ ports: [0] }, 'ports[0]']] as const) {
      const err = await createPool('r', settings).catch((e: unknown) => e)
      expect((err as ValidationError).field, JSON.stringify(settings)).toBe(field)
    }
    expect(await pods('r')).toEqual([])
  })

  it('a pool comes back from a snapshot of its scope with its pods, their claims, a build under way and its capacity', async () => {
    const pool = await createPool('snap', { size: 1, capacity: 2 })
    await advance(3_000)
    const held = await claim(pool, 'w1')
    const snap = await exportSnapshot(t.engine, { scope: pool.project })
    await resetState(t.engine, { scope: pool.project })
    await t.engine.store.transaction((q) => q.setQuotaLimits(pool.project, () => ({})))
    expect(await pods('snap')).toEqual([])
    expect(await importSnapshot(t.engine, snap)).toMatchObject({ resources: 3, transitions: 1 })
    expect((await claim(pool, 'w1')).id).toBe(held.id)
    await advance(3_000)
    expect(await statuses('snap')).toEqual(['free', 'used'])
    await claim(pool, 'w2')
    // NOTE: the capacity is the scope's quota again: a pod made past it, by any path, is refused.
    const over = await t.engine.store.transaction((q) => q.quotaRow(pool.project))
    expect(over?.limits).toMatchObject({ pods: 2 })
  })

  it('a keyed pool comes back from a snapshot of its scope into a server that never had its key, opened by that key alone', async () => {
    const pool = await createPool('locked', { size: 0, apiKey: 's3cret' })
    const snap = await exportSnapshot(t.engine, { scope: pool.project })
    expect(JSON.stringify(snap)).not.toContain('s3cret')
    // NOTE: as a fresh server is: neither the pool nor its key (a credential of user admin, outside the pool's scope).
    await resetState(t.engine, { scope: pool.project })
    await t.engine.transaction(async (tx) => tx.remove((await tx.q.getResource(keyId('s3cret')))!, 'delete'))
    await expect(t.engine.identity.whoIs('s3cret', pool.project)).rejects.toBeInstanceOf(UnauthorizedError)
    const forged = structuredClone(snap)
    ;(forged.state.resources.find((r) => r.kind === 'pool.pool')!.data as PoolData).keyId = 'key-of-my-own'
    expect(await importSnapshot(t.engine, forged).catch((e: unknown) => e)).toMatchObject({ field: 'state.resources[0].data.keyId' })
    await importSnapshot(t.engine, snap)
    expect((await t.engine.identity.whoIs('s3cret', pool.project)).user.name).toBe('admin')
    await expect(t.engine.identity.whoIs('s3cret', scopes.pool('other'))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(t.engine.identity.whoIs('nope', pool.project)).rejects.toBeInstanceOf(UnauthorizedError)
  })

  it('100 concurrent claims on a pool of capacity 5: 5 pods, each to one workspace, and 95 clear refusals', async () => {
    const pool = await createPool('race', { size: 5, capacity: 5 })
    await advance(3_000)
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => claim(pool, `w${i}`)))
    const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []))
    expect(won.length).toBe(5)
    expect(new Set(won.map((p) => p.id)).size).toBe(5)
    expect(lost.length).toBe(95)
    for (const e of lost) expect((e as ConflictError).code).toBe(EMU_ERR_EXHAUSTED)
    const all = await pods('race')
    expect(all.length).toBe(5)
    expect(new Set(all.map((p) => p.data.claimedBy)).size).toBe(5)
  })

  it('30 releases racing 30 claims in one pool all succeed, and leave each claimed pod to one workspace', async () => {
    const pool = await createPool('churn', { size: 2, capacity: 70 })
    const held: Pod[] = []
    for (let i = 0; i < 30; i++) held.push(await claim(pool, `old-${i}`))
    await advance(3_000)
    const outcomes = await Promise.allSettled([...held.map((p) => podAct(p, 'release')), ...Array.from({ length: 30 }, (_, i) => claim(pool, `new-${i}`))])
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason))).toEqual([])
    const claimed = (await pods('churn')).filter((p) => p.data.claimedBy !== null)
    expect(claimed.map((p) => p.data.claimedBy).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `new-${i}`).sort())
  })

  it('100 concurrent claims by one workspace give it one pod', async () => {
    const pool = await createPool('same', { size: 0, capacity: 50 })
    const got = await Promise.all(Array.from({ length: 100 }, () => claim(pool, 'the-one')))
    expect(new Set(got.map((p) => p.id)).size).toBe(1)
    expect((await pods('same')).length).toBe(1)
  })
})
