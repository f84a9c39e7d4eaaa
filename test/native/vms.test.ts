import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

describe('VM lifecycle through the native API', () => {
  it('answers 202 building, then becomes active exactly when its drawn latency has passed', async () => {
    // First run: learn the drawn latency from when the VM turned active.
    t = await testApp({ seed: 'latency' })
    const env = await environment(t)
    const created = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    expect(created.status).toBe(202)
    expect(created.body.status).toBe('building')
    expect(created.body.ip_address).toMatch(/^10\.0\.\d+\.\d+$/)
    await t.advance(10_000)
    const active = await t.call('GET', `/api/v1/vms/${created.body.id}`)
    expect(active.body.status).toBe('active')
    const latency = Date.parse(active.body.updated_at) - Date.parse(created.body.created_at)
    expect(latency).toBeGreaterThanOrEqual(1500)
    expect(latency).toBeLessThanOrEqual(2500)
    await t.close()

    // Second run, same seed and calls: still building 1 ms before, active at the exact ms.
    t = await testApp({ seed: 'latency' })
    const env2 = await environment(t)
    const again = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env2 })
    expect(again.body.id).toBe(created.body.id)
    await t.advance(latency - 1)
    expect((await t.call('GET', `/api/v1/vms/${again.body.id}`)).body.status).toBe('building')
    await t.advance(1)
    expect((await t.call('GET', `/api/v1/vms/${again.body.id}`)).body.status).toBe('active')
  })

  it('stops, starts, reboots and deletes through transitional states', async () => {
    t = await testApp()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env, flavor: 'm1.medium', image: 'debian-12' })
    expect(vm.flavor).toBe('m1.medium')
    expect(vm.image).toBe('debian-12')
    await t.advance(3_000)

    const steps: Array<[string, string, string]> = [
      ['stop', 'stopping', 'stopped'],
      ['start', 'starting', 'active'],
      ['reboot', 'rebooting', 'active'],
    ]
    for (const [action, via, to] of steps) {
      const res = await t.call('POST', `/api/v1/vms/${vm.id}/${action}`)
      expect(res.status).toBe(202)
      expect(res.body.status).toBe(via)
      await t.advance(1_000)
      expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe(to)
    }

    const del = await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    expect(del.status).toBe(202)
    expect(del.body.status).toBe('deleting')
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).status).toBe(404)
  })

  it('refuses actions in the wrong state with 409 and a reason', async () => {
    t = await testApp()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    const stop = await t.call('POST', `/api/v1/vms/${vm.id}/stop`)
    expect(stop.status).toBe(409)
    expect(stop.body.error.message).toMatch(/cannot stop vm .* while it is building/)
    await t.advance(3_000)
    const start = await t.call('POST', `/api/v1/vms/${vm.id}/start`)
    expect(start.status).toBe(409)
    expect(start.body.error.code).toBe('EMU_ERR_INVALID_STATE')
    await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    const twice = await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    expect(twice.status).toBe(409)
  })

  it('deleting a building VM cancels its build: it never comes back', async () => {
    t = await testApp()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.call('DELETE', `/api/v1/vms/${vm.id}`)
    await t.advance(60_000)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).status).toBe(404)
    const events = await t.app.mockcloud.engine.store.read.listEvents({ resourceId: vm.id, limit: 100 })
    expect(events.map((e) => e.toStatus)).toEqual(['building', 'deleting', null])
  })

  it('records an event for every state change, in order', async () => {
    t = await testApp()
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    const seen: string[] = []
    const off = t.app.mockcloud.engine.bus.subscribe((e) => e.resourceId === vm.id && seen.push(`${e.fromStatus}->${e.toStatus} ${e.resource?.phase}`))
    await t.advance(3_000)
    await t.call('POST', `/api/v1/vms/${vm.id}/stop`)
    await t.advance(1_000)
    off()
    // NOTE: a build passes through Nova's task states, each change an event of its own.
    expect(seen).toEqual([
      'building->building networking',
      'building->building block_device_mapping',
      'building->building spawning',
      'building->active null',
      'active->stopping null',
      'stopping->stopped null',
    ])
    const log = await t.app.mockcloud.engine.store.read.listEvents({ resourceId: vm.id, limit: 100 })
    expect(log.map((e) => [e.type, e.operation, e.toStatus, e.resource?.phase, e.version])).toEqual([
      ['created', 'create', 'building', 'scheduling', 1],
      ['changed', 'create', 'building', 'networking', 2],
      ['changed', 'create', 'building', 'block_device_mapping', 3],
      ['changed', 'create', 'building', 'spawning', 4],
      ['changed', 'create', 'active', null, 5],
      ['changed', 'stop', 'stopping', null, 6],
      ['changed', 'stop', 'stopped', null, 7],
    ])
  })

  it('the instant profile answers create with the VM already active', async () => {
    t = await testApp({ profile: 'instant' })
    const env = await environment(t)
    const res = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    expect(res.status).toBe(202)
    expect(res.body.status).toBe('active')
  })

  it('honours timing overrides per kind and operation', async () => {
    t = await testApp({ timing: ['vm.create.latency=10s', 'vm.create.failureRate=1'] })
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.advance(9_999)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('building')
    await t.advance(1)
    const failed = (await t.call('GET', `/api/v1/vms/${vm.id}`)).body
    expect(failed.status).toBe('error')
    expect(failed.error).toMatch(/simulated failure of vm create/)
  })
})
