import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app.js'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { freshDb } from '../helpers/store.js'

let t: TestApp | undefined
let system: FastifyInstance | undefined
afterEach(async () => {
  await t?.close()
  await system?.close()
  t = system = undefined
})

/** A server on the system clock (real time, scaled by `timeScale`), on a fresh database of the run's store. */
async function systemApp(opts: { timeScale?: number; timing?: string[] } = {}): Promise<FastifyInstance> {
  const db = freshDb()
  const app = await buildApp({ db: db.location, seed: 'clock', profile: 'fast', timeScale: opts.timeScale, timing: opts.timing ?? [] })
  app.addHook('onClose', () => db.drop())
  return app
}

async function call(app: FastifyInstance, method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await app.inject({ method, url, ...(body === undefined ? {} : { payload: body as object }) })
  return { status: res.statusCode, body: res.json() }
}

describe('a manual clock', () => {
  it('GET /clock tells the emulated time and mode', async () => {
    t = await testApp()
    const res = await t.call('GET', '/_mockcloud/clock')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ now: '2026-01-01T00:00:00.000Z', now_ms: T0, mode: 'manual', time_scale: null })
  })

  it('advance moves it forward and runs every transition due by then before answering', async () => {
    t = await testApp({ timing: ['vm.create.latency=2s'] })
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const first = await t.call('POST', '/_mockcloud/clock/advance', { ms: 1_999 })
    expect(first.body).toEqual({ now: '2026-01-01T00:00:01.999Z', now_ms: T0 + 1_999, mode: 'manual', time_scale: null })
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('building')
    const second = await t.call('POST', '/_mockcloud/clock/advance', { ms: 1 })
    expect(second.body.now_ms).toBe(T0 + 2_000)
    // No t.advance here: the control call itself waited for the build to complete.
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('active')
    expect((await t.call('GET', '/_mockcloud/clock')).body.now_ms).toBe(T0 + 2_000)
    expect((await t.call('POST', '/_mockcloud/clock/advance', { ms: 0 })).body.now_ms).toBe(T0 + 2_000)
  })

  it('refuses a time scale with 409: a manual clock is advanced, not scaled', async () => {
    t = await testApp()
    const res = await t.call('POST', '/_mockcloud/clock', { time_scale: 0.5 })
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ status: 409, code: 'EMU_ERR_CONFLICT', field: null })
    expect(res.body.error.message).toMatch(/manual/)
    expect((await t.call('GET', '/_mockcloud/clock')).body).toEqual({ now: '2026-01-01T00:00:00.000Z', now_ms: T0, mode: 'manual', time_scale: null })
  })

  const bad: Array<[string, string, unknown, string]> = [
    ['negative ms', '/_mockcloud/clock/advance', { ms: -1 }, 'ms'],
    ['fractional ms', '/_mockcloud/clock/advance', { ms: 1.5 }, 'ms'],
    ['ms as text', '/_mockcloud/clock/advance', { ms: '100' }, 'ms'],
    ['missing ms', '/_mockcloud/clock/advance', {}, 'ms'],
    ['unknown field', '/_mockcloud/clock/advance', { ms: 1, seconds: 1 }, 'seconds'],
    ['more than 10 years', '/_mockcloud/clock/advance', { ms: 315_360_000_001 }, 'ms'],
    ['ms past any date', '/_mockcloud/clock/advance', { ms: 1e308 }, 'ms'],
    ['zero scale', '/_mockcloud/clock', { time_scale: 0 }, 'time_scale'],
    ['negative scale', '/_mockcloud/clock', { time_scale: -2 }, 'time_scale'],
    ['scale below 1e-6', '/_mockcloud/clock', { time_scale: 1e-15 }, 'time_scale'],
    ['the smallest double as scale', '/_mockcloud/clock', { time_scale: 5e-324 }, 'time_scale'],
    ['scale above 1e6', '/_mockcloud/clock', { time_scale: 1_000_001 }, 'time_scale'],
    ['scale as text', '/_mockcloud/clock', { time_scale: 'fast' }, 'time_scale'],
    ['missing scale', '/_mockcloud/clock', {}, 'time_scale'],
  ]
  describe('bad input', () => {
    // NOTE: one app for the table: a refused request leaves the clock where it was, which each case checks.
    let shared: TestApp
    beforeAll(async () => {
      shared = await testApp()
    })
    afterAll(() => shared.close())
    for (const [name, url, body, field] of bad) {
      it(`400 naming the field: ${name}`, async () => {
        const res = await shared.call('POST', url, body)
        expect(res.status).toBe(400)
        expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field })
        expect(res.body.error.message.startsWith(`${field}:`)).toBe(true)
        expect(shared.clock.now()).toBe(T0)
      })
    }
  })
})

describe('the end of time', () => {
  it('advances up to 9999-01-01 and no further: 400 naming ms, the clock unmoved, dates still valid', async () => {
    const nearEnd = Date.parse('9998-12-01T00:00:00.000Z')
    t = await testApp({ start: nearEnd })
    const env = await environment(t)
    const tooFar = await t.call('POST', '/_mockcloud/clock/advance', { ms: 31 * 86_400_000 + 1 })
    expect(tooFar.status).toBe(400)
    expect(tooFar.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'ms' })
    expect(tooFar.body.error.message).toMatch(/^ms: the clock stops at 9999-01-01T00:00:00.000Z/)
    expect(t.clock.now()).toBe(nearEnd)
    const toEnd = await t.call('POST', '/_mockcloud/clock/advance', { ms: 31 * 86_400_000 })
    expect(toEnd.body).toMatchObject({ now: '9999-01-01T00:00:00.000Z' })
    // NOTE: a build due after the end (now + latency) still gets a valid date.
    const vm = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    expect(vm.status).toBe(202)
    expect((await t.call('GET', `/api/v1/vms/${vm.body.id}`)).status).toBe(200)
  })
})

describe('times in a snapshot', () => {
  it('are refused past the end of emulated time, where they would make invalid dates', async () => {
    t = await testApp()
    await environment(t)
    const snapshot = (await t.call('GET', '/_mockcloud/snapshot')).body
    snapshot.state.resources[0].created_at = Number.MAX_SAFE_INTEGER
    const res = await t.call('POST', '/_mockcloud/snapshot', snapshot)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'state.resources[0].created_at' })
    expect((await t.call('GET', '/api/v1/environments')).status).toBe(200)
  })
})

describe('a system clock', () => {
  it('refuses a time scale outside 1e-6..1e6 with 400, and keeps serving', async () => {
    system = await systemApp()
    for (const time_scale of [1e-15, 5e-324, 9.99e-7, 1e6 + 1]) {
      const res = await call(system, 'POST', '/_mockcloud/clock', { time_scale })
      expect(res.status, String(time_scale)).toBe(400)
      expect(res.body.error, String(time_scale)).toMatchObject({ status: 400, code: 'EMU_ERR_VALIDATION', field: 'time_scale' })
    }
    expect((await call(system, 'GET', '/_mockcloud/clock')).body).toMatchObject({ mode: 'system', time_scale: 1 })
    // NOTE: at the smallest scale a real millisecond is 1 000 emulated seconds; every request still works.
    expect((await call(system, 'POST', '/_mockcloud/clock', { time_scale: 1e-6 })).body).toMatchObject({ mode: 'scaled', time_scale: 1e-6 })
    await new Promise((r) => setTimeout(r, 20))
    const env = await call(system, 'POST', '/api/v1/environments', { name: 'e' })
    expect(env.status).toBe(201)
    const clock = await call(system, 'GET', '/_mockcloud/clock')
    expect(clock.body.now).toBe(new Date(clock.body.now_ms).toISOString())
  })

  it('GET /clock shows real time; advance answers 409', async () => {
    system = await systemApp()
    const before = Date.now()
    const clock = await call(system, 'GET', '/_mockcloud/clock')
    expect(clock.body).toMatchObject({ mode: 'system', time_scale: 1 })
    expect(clock.body.now_ms).toBeGreaterThanOrEqual(before - 5)
    expect(clock.body.now_ms).toBeLessThanOrEqual(Date.now() + 5)
    expect(clock.body.now).toBe(new Date(clock.body.now_ms).toISOString())
    const advance = await call(system, 'POST', '/_mockcloud/clock/advance', { ms: 1_000 })
    expect(advance.status).toBe(409)
    expect(advance.body.error).toMatchObject({ status: 409, code: 'EMU_ERR_CONFLICT', field: null })
    expect(advance.body.error.message).toMatch(/not manual/)
  })

  it('a new time scale carries on from the current time and runs faster from then on', async () => {
    system = await systemApp()
    const realBefore = performance.now()
    const before = (await call(system, 'GET', '/_mockcloud/clock')).body.now_ms
    const slow = await call(system, 'POST', '/_mockcloud/clock', { time_scale: 2 })
    const realSwitch = performance.now() - realBefore
    expect(slow.status).toBe(200)
    expect(slow.body).toMatchObject({ mode: 'scaled', time_scale: 2 })
    // No jump at the switch: emulated time continues from where it was (and now runs at half speed).
    expect(slow.body.now_ms).toBeGreaterThanOrEqual(before)
    expect(slow.body.now_ms - before).toBeLessThanOrEqual(Math.ceil(realSwitch) + 1)

    const fast = await call(system, 'POST', '/_mockcloud/clock', { time_scale: 0.001 })
    expect(fast.body).toMatchObject({ mode: 'scaled', time_scale: 0.001 })
    const realStart = performance.now()
    const start = (await call(system, 'GET', '/_mockcloud/clock')).body.now_ms
    await new Promise((r) => setTimeout(r, 30))
    const later = (await call(system, 'GET', '/_mockcloud/clock')).body.now_ms
    const real = performance.now() - realStart
    // 0.001: a real millisecond is an emulated second.
    expect(later - start).toBeGreaterThanOrEqual(25_000)
    expect(later - start).toBeLessThanOrEqual(Math.ceil(real + 2) * 1_000)
    const back = await call(system, 'POST', '/_mockcloud/clock', { time_scale: 1 })
    expect(back.body).toMatchObject({ mode: 'system', time_scale: 1 })
  })

  it('a pending transition follows the new scale: a 60 s build finishes within real milliseconds', async () => {
    system = await systemApp({ timing: ['vm.create.latency=60s'] })
    const env = (await call(system, 'POST', '/api/v1/environments', { name: 'e' })).body.id
    const vm = (await call(system, 'POST', '/api/v1/vms', { name: 'web', environment_id: env })).body
    expect(vm.status).toBe('building')
    await call(system, 'POST', '/_mockcloud/clock', { time_scale: 0.0001 })
    // 60 emulated seconds are 6 real ms now; the timer armed at scale 1 would take a minute.
    const deadline = performance.now() + 5_000
    let status = vm.status
    while (status === 'building' && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5))
      status = (await call(system, 'GET', `/api/v1/vms/${vm.id}`)).body.status
    }
    expect(status).toBe('active')
  })
})
