import { afterEach, describe, expect, it } from 'vitest'
import {
  ConflictError,
  ForbiddenError,
  MockcloudError,
  NotFoundError,
  ResourceErrorStateError,
  SDK_ERR_CLOSED,
  UnauthorizedError,
  ValidationError,
  type PoolManagerClient,
} from '../../src/sdk/index.js'

/**
 * What every PoolManagerClient must do, run unchanged on each
 * implementation (embedded, HTTP, the test double, the wrapped clients).
 * A harness whose server runs on a manual clock with the `fast` profile
 * (pods provision in 1–3 s, a sync takes 0.5–1.5 s) says `clock: true`;
 * one that cannot move time (the double's default `instant` pool manager)
 * skips, by name, the tests that watch a pod between two states. Tests use
 * pools of their own, so a harness may share one server between tests.
 */
export interface PoolManagerHarness {
  client: PoolManagerClient
  /** Another client of the same server: with this default key, or none. */
  clientWith(apiKey?: string): PoolManagerClient
  /** Moves the server's clock; every transition due by then has run when it resolves. */
  advance(ms: number): Promise<void>
  /** Whether `advance` moves time (false: operations end at once, in-between states are never seen). */
  clock: boolean
  close(): Promise<void>
}

export interface PoolHarnessOptions {
  /** Timing overrides for the server (`pod.create.failureRate=1`); a harness that cannot set them says so with `timing: false` in its capabilities. */
  timing?: string[]
}

export type PoolManagerFactory = (opts: PoolHarnessOptions) => Promise<PoolManagerHarness>

const fast = { pollIntervalMs: 5, timeoutMs: 5_000 }
const READY = 3_000
let pools = 0

/** A pool name no other test of the run uses. */
const fresh = (what: string) => `${what}-${process.pid}-${++pools}`

function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
}

export function poolManagerContract(name: string, factory: PoolManagerFactory, capabilities: { timing: boolean } = { timing: true }): void {
  describe(`PoolManagerClient contract: ${name}`, () => {
    let h: PoolManagerHarness
    let c: PoolManagerClient
    const open = async (opts: PoolHarnessOptions = {}) => {
      h = await factory(opts)
      c = h.client
    }
    afterEach(async () => {
      await h?.close()
    })
    const withClock = (title: string, fn: () => Promise<void>) =>
      it(title, async (ctx) => {
        await open()
        if (!h.clock) ctx.skip()
        await fn()
      })

    it('claims a pod for a workspace from a pool it makes when asked for (3 pods), the same pod for the same workspace', async () => {
      await open()
      const pool = fresh('asked')
      const pod = await c.claimPod(pool, 'workspace-123')
      expect(pod).toMatchObject({ poolName: pool, claimedBy: 'workspace-123', repositories: [], error: null })
      expect(pod.password).toMatch(/^[0-9a-f]{24}$/)
      expect(Object.keys(pod.portMappings).sort()).toEqual(['15551', '15552', '3000'])
      await h.advance(READY)
      const again = await c.claimPod(pool, 'workspace-123')
      expect([again.id, again.usage_status]).toEqual([pod.id, 'used'])
      const status = await c.getPoolStatus(pool)
      expect(status.pool).toMatchObject({ name: pool, size: 3, total_workspaces: 4, available_workspaces: 3, used_workspaces: 1 })
      expect(status.workspaces.find((w) => w.id === pod.id)).toMatchObject({ status: 'used', claimed_by: 'workspace-123', url: pod.url })
      expect((await c.listPods(pool)).map((p) => p.id)).toContain(pod.id)
      expect(await c.getPod(pod.id)).toEqual(again)
    })

    it('creates, finds, reconfigures and deletes a pool; a taken name is a ConflictError, getOrCreatePool returns the pool', async () => {
      await open()
      const name = fresh('made')
      const made = await c.createPool({ name, size: 1, capacity: 4, domain: 'pods.example.com', ports: [8080] })
      expect(made).toMatchObject({ name, size: 1, capacity: 4, domain: 'pods.example.com', ports: [8080], keyed: false })
      expect((await outcome(c.createPool({ name }))).error).toBeInstanceOf(ConflictError)
      expect((await c.getOrCreatePool(name)).id).toBe(made.id)
      expect(await c.getPool(name)).toMatchObject({ id: made.id, total_workspaces: 1 })
      expect(await c.configurePool(name, { size: 2, domain: null })).toMatchObject({ size: 2, domain: null, total_workspaces: 2 })
      await c.deletePool(name)
      await h.advance(READY)
      expect((await outcome(c.getPool(name))).error).toBeInstanceOf(NotFoundError)
    })

    it('refuses a claim beyond capacity with ConflictError EMU_ERR_EXHAUSTED and makes no pod; a release frees room once trimmed', async () => {
      await open()
      const name = fresh('full')
      await c.createPool({ name, size: 0, capacity: 2 })
      const a = await c.claimPod(name, 'a')
      await c.claimPod(name, 'b')
      const refused = (await outcome(c.claimPod(name, 'c'))).error
      expect(refused).toBeInstanceOf(ConflictError)
      expect(refused).toMatchObject({ status: 409, code: 'EMU_ERR_EXHAUSTED' })
      expect((await c.getPool(name)).total_workspaces).toBe(2)
      await h.advance(READY)
      expect((await c.releasePod(a.id)).usage_status).toBe('free')
      // NOTE: a pod freed beyond the pool's size (0 here) is torn down, and holds its room until it is gone.
      await h.advance(READY)
      expect((await c.claimPod(name, 'c')).claimedBy).toBe('c')
    })

    it('syncs repositories, marks used (idempotent) and releases', async () => {
      await open()
      const name = fresh('sync')
      const pod = await c.claimPod(name, 'w1')
      await h.advance(READY)
      await c.updatePod(pod.id, { repositories: ['owner/repo1', 'owner/repo2'] })
      await h.advance(READY)
      expect(await c.waitForPodStatus(pod.id, 'used', fast)).toMatchObject({ repositories: ['owner/repo1', 'owner/repo2'] })
      for (let i = 0; i < 2; i++) expect((await c.markPodUsed(pod.id)).usage_status).toBe('used')
      expect(await c.releasePod(pod.id)).toMatchObject({ usage_status: 'free', claimedBy: null, claimed_at: null })
      const free = (await c.listPods(name)).find((p) => p.usage_status === 'free' && p.id !== pod.id)!
      expect((await c.markPodUsed(free.id)).usage_status).toBe('used')
    })

    withClock('shows a pod provisioning, then free; a sync as syncing, then used', async () => {
      const name = fresh('phases')
      await c.createPool({ name, size: 1 })
      const [pod] = await c.listPods(name)
      expect(pod!.usage_status).toBe('provisioning')
      const free = c.waitForPodStatus(pod!.id, 'free', fast)
      await h.advance(READY)
      expect((await free).usage_status).toBe('free')
      const claimed = await c.claimPod(name, 'w')
      expect((await c.updatePod(claimed.id, { repositories: ['o/r'] })).usage_status).toBe('syncing')
      const used = c.waitForPodStatus(claimed.id, 'used', fast)
      await h.advance(READY)
      expect((await used).repositories).toEqual(['o/r'])
    })

    it('waitForPodStatus rejects with ResourceErrorStateError when provisioning fails', async (ctx) => {
      if (!capabilities.timing) ctx.skip()
      await open({ timing: ['pod.create.failureRate=1'] })
      const name = fresh('failing')
      const pod = await c.claimPod(name, 'w')
      const waited = outcome(c.waitForPodStatus(pod.id, 'used', fast))
      await h.advance(READY)
      const { error } = await waited
      expect(error).toBeInstanceOf(ResourceErrorStateError)
      expect(error).toMatchObject({ resourceKind: 'pod', resource: { id: pod.id, usage_status: 'error' } })
    })

    it('answers an unknown pool or pod with NotFoundError and bad input with ValidationError naming the field', async () => {
      await open()
      expect((await outcome(c.getPod('no-such-pod'))).error).toBeInstanceOf(NotFoundError)
      expect((await outcome(c.getPoolStatus(fresh('missing')))).error).toMatchObject({ status: 404 })
      expect((await outcome(c.releasePod('no-such-pod'))).error).toBeInstanceOf(NotFoundError)
      const bad = (await outcome(c.createPool({ name: fresh('bad'), capacity: 0 }))).error
      expect(bad).toBeInstanceOf(ValidationError)
      expect(bad).toMatchObject({ status: 400, field: 'capacity' })
      expect((await outcome(c.updatePod('no-such-pod', { repositories: [] }))).error).toBeInstanceOf(NotFoundError)
    })

    it("calls a keyed pool with the key it was made with; without it UnauthorizedError, with another ForbiddenError", async () => {
      await open()
      const name = fresh('keyed')
      expect((await c.getOrCreatePool(name, 'k-right')).keyed).toBe(true)
      const pod = await c.claimPod(name, 'w')
      expect((await c.getPod(pod.id)).id).toBe(pod.id)
      expect((await outcome(h.clientWith().getPoolStatus(name))).error).toBeInstanceOf(UnauthorizedError)
      expect((await outcome(h.clientWith('k-wrong').getPod(pod.id))).error).toBeInstanceOf(ForbiddenError)
      expect((await h.clientWith('k-right').releasePod(pod.id)).claimedBy).toBeNull()
      // A key that did not open the pool is not kept: the client's own (right) key still works after it.
      const right = h.clientWith('k-right')
      expect((await outcome(right.getOrCreatePool(name, 'k-wrong'))).error).toBeInstanceOf(ForbiddenError)
      expect((await right.getPool(name)).name).toBe(name)
    })

    it("gives default-pool seed 004's 5 pods, whether claimed or made with getOrCreatePool", async () => {
      await open()
      // NOTE: default-pool may exist already on a shared server; its size is what tells.
      expect((await c.getOrCreatePool('default-pool')).size).toBe(5)
    })

    it('rejects every call after close with SDK_ERR_CLOSED', async () => {
      await open()
      const own = h.clientWith()
      await own.close()
      const { error } = await outcome(own.getPool('default-pool'))
      expect(error).toBeInstanceOf(MockcloudError)
      expect(error).toMatchObject({ code: SDK_ERR_CLOSED })
    })
  })
}
