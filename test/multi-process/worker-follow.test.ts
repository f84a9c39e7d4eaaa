import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BullmqScheduler } from '../../src/scheduler/bullmq-scheduler.js'
import type { SystemClock } from '../../src/clock/system-clock.js'
import type { ScheduledTransition } from '../../src/engine/engine-tx.js'
import { FOLLOW_REAL_MS, TransitionWorker } from '../../src/scheduler/transition-worker.js'
import { startRuntime } from '../../src/server/runtime.js'
import { until } from '../helpers/process.js'
import { freshDb, TEST_STORE, type TestDb } from '../helpers/store.js'

/**
 * A node that applies transitions keeps those about to fall due
 * (FOLLOW_REAL_MS) and applies them itself, instead of a BullMQ job each.
 * Runs in the postgres project, when MOCKCLOUD_TEST_REDIS_URL is set.
 */
const REDIS = process.env['MOCKCLOUD_TEST_REDIS_URL']
const run = TEST_STORE === 'postgres' && REDIS ? describe : describe.skip

run('a worker following transitions about to fall due', () => {
  let db: TestDb
  beforeAll(() => {
    db = freshDb()
  })
  afterAll(async () => {
    vi.restoreAllMocks()
    await db.drop()
  })

  it('builds VMs whose phases fall due a fraction of a millisecond apart through every phase, with no job per phase', async () => {
    const queued = vi.spyOn(BullmqScheduler.prototype, 'notify')
    // NOTE: 1 ms of real time is 1 s emulated: a ~2 s build of four phases takes ~2 ms.
    const rt = await startRuntime({ db: db.location, queue: REDIS, timeScale: 0.001, seed: 'follow', quotaDefaults: { instances: -1, cores: -1, ram: -1, ports: -1 } })
    try {
      const env = await rt.engine.create('p', 'network.network', { name: 'e', subnet: 'auto' })
      const vms = await Promise.all(Array.from({ length: 20 }, (_, i) => rt.engine.create('p', 'compute.server', { name: `vm-${i}`, networkId: env.id })))
      await until(async () => ((await rt.engine.store.read.dueTransitions(Number.MAX_SAFE_INTEGER, 1)).length === 0 ? true : undefined), 'every build done')
      for (const vm of vms) {
        expect((await rt.engine.store.read.getResource(vm.id))?.status).toBe('active')
        const history = await rt.engine.store.read.listEvents({ resourceId: vm.id, limit: 10 })
        expect(history.map((e) => e.resource?.phase ?? null)).toEqual(['scheduling', 'networking', 'block_device_mapping', 'spawning', null])
      }
      // NOTE: without following, each VM's build was at least one job, and most were four.
      expect(queued.mock.calls.length).toBeLessThan(5)
    } finally {
      await rt.close()
    }
  })

  it('hands what it kept to the queue when it closes, and what falls due later at once', async () => {
    const rt = await startRuntime({ db: db.location, queue: REDIS, timeScale: 1, seed: 'close' })
    const worker = new TransitionWorker(rt.engine, rt.clock as SystemClock, { url: REDIS!, prefix: 'follow-test' })
    const queued: ScheduledTransition[] = []
    try {
      const runner = worker.runnerOver({ notify: (t) => void queued.push(t), runDue: async () => 0 })
      const soon = { id: 1_000_001, dueAt: rt.clock.now() + FOLLOW_REAL_MS - 5 }
      const later = { id: 1_000_002, dueAt: rt.clock.now() + FOLLOW_REAL_MS + 1_000 }
      runner.notify(soon)
      runner.notify(later)
      expect(queued).toEqual([later])
      await worker.close()
      expect(queued).toEqual([later, soon])
    } finally {
      await worker.close()
      await rt.close()
    }
  })
})
