import { afterEach, describe, expect, it } from 'vitest'
import { volumeHooks } from '../../src/engine/kinds/volume.ops.js'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
const detach = volumeHooks.onComplete!['detach']!
afterEach(async () => {
  volumeHooks.onComplete!['detach'] = detach
  await t?.close()
})

/** A volume attached to an active VM and now detaching, whose detach will complete 1 s from now. */
async function detachingVolume(): Promise<string> {
  const env = await environment(t)
  const vm = await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env })
  const vol = await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })
  await t.advance(5_000)
  expect((await t.call('POST', `/api/v1/volumes/${vol.body.id}/attach/${vm.body.id}`)).status).toBe(202)
  await t.advance(5_000)
  expect((await t.call('POST', `/api/v1/volumes/${vol.body.id}/detach`)).body.status).toBe('detaching')
  return vol.body.id
}

async function metric(name: string, labels: string): Promise<number | undefined> {
  const body = (await t.app.inject({ method: 'GET', url: '/metrics' })).body
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line === undefined ? undefined : Number(line.split(' ').pop())
}

describe('a transition whose hook throws', () => {
  it('is retried with back-off on the engine clock, then fails its resource with the error in its fault', async () => {
    t = await testApp({ timing: ['volume.detach.latency=1s'] })
    const id = await detachingVolume()
    const tries: number[] = []
    volumeHooks.onComplete!['detach'] = async () => {
      tries.push(t.clock.now())
      throw new Error('the hypervisor went away')
    }
    const due = t.clock.now() + 1_000

    await t.advance(1_000)
    expect(tries).toEqual([due])
    expect((await t.call('GET', `/api/v1/volumes/${id}`)).body.status).toBe('detaching')

    // An hour of emulated time: it must return, having tried a bounded number of times.
    await t.advance(3_600_000)
    expect(tries.map((at) => at - due)).toEqual([0, 1_000, 3_000, 7_000, 15_000])
    const vol = (await t.call('GET', `/api/v1/volumes/${id}`)).body
    expect(vol.status).toBe('error')
    expect(vol.error).toMatch(/volume detach failed 5 times; last error: the hypervisor went away/)
    expect(await metric('mockcloud_transition_failures_total', 'kind="volume",operation="detach",outcome="retried"')).toBe(4)
    expect(await metric('mockcloud_transition_failures_total', 'kind="volume",operation="detach",outcome="failed"')).toBe(1)
    const snapshot = (await t.call('GET', '/_mockcloud/snapshot')).body
    expect(snapshot.state.transitions.filter((tr: { resource_id: string }) => tr.resource_id === id)).toEqual([])
  })

  it('recovers when a retry succeeds', async () => {
    t = await testApp({ timing: ['volume.detach.latency=1s'] })
    const id = await detachingVolume()
    let failures = 2
    volumeHooks.onComplete!['detach'] = async (tx, res) => {
      if (failures-- > 0) throw new Error('flaky')
      return detach(tx, res)
    }
    await t.advance(10_000)
    expect((await t.call('GET', `/api/v1/volumes/${id}`)).body).toMatchObject({ status: 'available', vm_id: null, device: null })
    expect(await metric('mockcloud_transition_failures_total', 'kind="volume",operation="detach",outcome="retried"')).toBe(2)
    expect(await metric('mockcloud_transition_failures_total', 'kind="volume",operation="detach",outcome="failed"')).toBeUndefined()
  })
})

describe('a store that refuses to apply any transition', () => {
  it('never spins: the scheduler backs off on the clock and advance returns', async () => {
    // As `serve` does: the error is logged, not thrown.
    const errors: unknown[] = []
    t = await testApp({ timing: ['vm.create.latency=1s'], onTransitionError: (err) => errors.push(err) })
    const env = await environment(t)
    await t.call('POST', '/api/v1/vms', { name: 'vm', environment_id: env })
    let calls = 0
    t.app.mockcloud.engine.complete = async () => {
      calls++
      throw new Error('the database is gone')
    }
    await t.advance(10_000)
    // One try at the due time, then one a second.
    expect(calls).toBeGreaterThanOrEqual(5)
    expect(calls).toBeLessThanOrEqual(10)
    expect(errors).toHaveLength(calls)
    expect(String(errors[0])).toMatch(/the database is gone/)
  })
})
