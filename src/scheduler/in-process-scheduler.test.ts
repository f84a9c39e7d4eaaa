import { afterEach, describe, expect, it, vi } from 'vitest'
import { SystemClock } from '../clock/system-clock.js'
import { buildApp } from '../server/app.js'
import { RUN_GAP_REAL_MS } from './in-process-scheduler.js'

describe('InProcessScheduler on a real clock', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  // NOTE: the real clock's timers and Date are faked, so the test steps through real time without sleeping.
  it('runs the transitions that fall due within its gap together, each at its own due time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.parse('2026-06-01T00:00:00Z') })
    const app = await buildApp({ clock: new SystemClock(), db: ':memory:', profile: 'fast', seed: 'gap', timing: ['vm.create.latency=1000ms'], apiKey: '' })
    try {
      const env = (await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' } })).json().id
      await vi.advanceTimersByTimeAsync(1_000)
      const read = app.mockcloud.engine.store.read
      const runs = vi.spyOn(read, 'dueTransitions')
      // five builds started a millisecond apart: their first phases (a tenth of the build) end a millisecond apart
      const ids: string[] = []
      const started = Date.now()
      for (let i = 0; i < 5; i++) {
        const vm = await app.inject({ method: 'POST', url: '/api/v1/vms', payload: { name: `vm${i}`, environment_id: env } })
        ids.push(vm.json().id)
        await vi.advanceTimersByTimeAsync(1)
      }
      // a millisecond at a time, each run finishing before time moves on (its commit waits for real I/O)
      for (let ms = 0; ms < 100 + RUN_GAP_REAL_MS; ms++) {
        await vi.advanceTimersByTimeAsync(1)
        await app.mockcloud.scheduler.idle()
      }
      const vms = await Promise.all(ids.map(async (id) => (await read.getResource(id))!))
      expect(vms.map((vm) => vm.phase)).toEqual(Array(5).fill('networking'))
      // each entered its phase at its own due time, not at the time of the run that applied it
      expect(vms.map((vm) => vm.updatedAt - started)).toEqual([100, 101, 102, 103, 104])
      expect(runs.mock.calls.length).toBeLessThanOrEqual(2)
    } finally {
      await app.close()
    }
  })
})
