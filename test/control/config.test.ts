import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/server/app.js'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const vm = async (t: TestApp, env: string, name: string) => (await t.call('POST', '/api/v1/vms', { name, environment_id: env })).body as { id: string; status: string }
const statusOf = async (t: TestApp, id: string) => (await t.call('GET', `/api/v1/vms/${id}`)).body.status as string

describe('/_mockcloud/config', () => {
  it('tells the profile, overrides, clock, seed and backends in use', async () => {
    t = await testApp({ seed: 'cfg', timing: ['volume.create.latency=3s'] })
    const res = await t.call('GET', '/_mockcloud/config')
    expect(res).toEqual({
      status: 200,
      body: { profile: 'fast', timing: ['volume.create.latency=3s'], time_scale: null, clock: 'manual', seed: 'cfg', store: expect.stringMatching(/^(sqlite|postgres)$/), runner: 'in-process', bus: 'in-process' },
    })
  })

  it('changes the timings of operations started afterwards; pending transitions keep their time', async () => {
    t = await testApp({ timing: ['vm.create.latency=2s'] })
    const env = await environment(t)
    const before = await vm(t, env, 'before')
    const changed = await t.call('POST', '/_mockcloud/config', { timing: ['vm.create.latency=10s'] })
    expect(changed.body).toMatchObject({ profile: 'fast', timing: ['vm.create.latency=10s'] })
    const after = await vm(t, env, 'after')

    await t.advance(2_000)
    expect([await statusOf(t, before.id), await statusOf(t, after.id)]).toEqual(['active', 'building'])
    await t.advance(7_999)
    expect(await statusOf(t, after.id)).toBe('building')
    await t.advance(1)
    expect(await statusOf(t, after.id)).toBe('active')

    // NOTE: a new profile keeps the overrides unless they are given too; [] clears them.
    expect((await t.call('POST', '/_mockcloud/config', { profile: 'instant' })).body).toMatchObject({ profile: 'instant', timing: ['vm.create.latency=10s'] })
    expect((await t.call('POST', '/_mockcloud/config', { timing: [] })).body).toMatchObject({ profile: 'instant', timing: [] })
    expect((await vm(t, env, 'instant')).status).toBe('active')
  })

  it('switches to the realistic profile at run time', async () => {
    t = await testApp({ seed: 'switch' })
    const env = await environment(t)
    await t.call('POST', '/_mockcloud/config', { profile: 'realistic' })
    const slow = await vm(t, env, 'slow')
    await t.advance(29_999)
    expect(await statusOf(t, slow.id)).toBe('building')
    await t.advance(30_001)
    expect(['active', 'error']).toContain(await statusOf(t, slow.id))
  })

  it('bad input: 400 naming the field, and nothing changes', async () => {
    t = await testApp({ timing: ['vm.create.latency=2s'] })
    const cases: Array<[unknown, string]> = [
      [{ profile: 'slow' }, 'profile'],
      [{ timing: ['vm.create.latency=2s', 'vm.create.latency=fast'] }, 'timing[1]'],
      [{ timing: ['nope.create.latency=1s'] }, 'timing[0]'],
      [{ timing: ['vm.create.failureRate=2'] }, 'timing[0]'],
      [{ timing: ['vm.create.failureRate=-0.1'] }, 'timing[0]'],
      [{ timing: ['vm.create.failureRate=NaN'] }, 'timing[0]'],
      [{ timing: ['vm.create.latency=1e308s'] }, 'timing[0]'],
      [{ timing: [`vm.create.latency=${'9'.repeat(200)}s`] }, 'timing[0]'],
      [{ timing: ['vm.create.latency=24h', 'vm.delete.latency=1s..86400001ms'] }, 'timing[1]'],
      [{ timing: ['*.*.latency=99999999999999h'] }, 'timing[0]'],
      [{ timing: 'vm.create.latency=1s' }, 'timing'],
      [{ tempo: 'fast' }, 'tempo'],
    ]
    for (const [body, field] of cases) {
      const res = await t.call('POST', '/_mockcloud/config', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.field, JSON.stringify(body)).toBe(field)
    }
    expect((await t.call('GET', '/_mockcloud/config')).body).toMatchObject({ profile: 'fast', timing: ['vm.create.latency=2s'] })
  })

  it('takes latencies up to 24h, whose dates stay valid, and refuses longer ones at start too', async () => {
    await expect(buildApp({ db: ':memory:', timing: ['vm.create.latency=99999999999999h'] })).rejects.toThrow(/latency in 'vm.create.latency' must be at most 24h/)
    t = await testApp()
    const env = await environment(t)
    const res = await t.call('POST', '/_mockcloud/config', { timing: ['vm.create.latency=24h'] })
    expect(res.status).toBe(200)
    const slow = await vm(t, env, 'slow')
    await t.advance(86_399_999)
    expect(await statusOf(t, slow.id)).toBe('building')
    await t.advance(1)
    expect(await statusOf(t, slow.id)).toBe('active')
  })
})
