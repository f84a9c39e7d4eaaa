import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

async function activeVm(env: string, name = 'vm'): Promise<string> {
  const { body } = await t.call('POST', '/api/v1/vms', { name, environment_id: env })
  await t.advance(3_000)
  return body.id
}

async function availableVolume(name = 'data'): Promise<string> {
  const res = await t.call('POST', '/api/v1/volumes', { name, size_gb: 10 })
  expect(res.status).toBe(202)
  expect(res.body.status).toBe('creating')
  await t.advance(3_000)
  return res.body.id
}

describe('volumes', () => {
  it('attach -> attaching -> in-use; detach -> detaching -> available; delete -> deleting -> gone', async () => {
    t = await testApp()
    const vm = await activeVm(await environment(t))
    const vol = await availableVolume()
    const attach = await t.call('POST', `/api/v1/volumes/${vol}/attach/${vm}`)
    expect(attach.status).toBe(202)
    expect(attach.body).toMatchObject({ status: 'attaching', vm_id: vm, device: '/dev/vdb' })
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/volumes/${vol}`)).body).toMatchObject({ status: 'in-use', vm_id: vm })

    expect((await t.call('DELETE', `/api/v1/volumes/${vol}`)).status).toBe(409)

    const detach = await t.call('POST', `/api/v1/volumes/${vol}/detach`)
    expect(detach.body.status).toBe('detaching')
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/volumes/${vol}`)).body).toMatchObject({ status: 'available', vm_id: null, device: null })

    const del = await t.call('DELETE', `/api/v1/volumes/${vol}`)
    expect(del.status).toBe(202)
    expect(del.body.status).toBe('deleting')
    await t.advance(1_000)
    expect((await t.call('GET', `/api/v1/volumes/${vol}`)).status).toBe(404)
  })

  it('20 concurrent attaches of one volume: exactly one wins, the others get 409', async () => {
    t = await testApp()
    const env = await environment(t)
    const vms: string[] = []
    for (let i = 0; i < 20; i++) vms.push((await t.call('POST', '/api/v1/vms', { name: `vm-${i}`, environment_id: env })).body.id)
    await t.advance(3_000)
    const vol = await availableVolume()
    const results = await Promise.all(vms.map((vm) => t.call('POST', `/api/v1/volumes/${vol}/attach/${vm}`)))
    const won = results.filter((r) => r.status === 202)
    expect(won).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(19)
    await t.advance(1_000)
    const final = (await t.call('GET', `/api/v1/volumes/${vol}`)).body
    expect(final.status).toBe('in-use')
    expect(final.vm_id).toBe(won[0]!.body.vm_id)
  })

  it('gives each volume on a VM its own device, and deleting the VM detaches them', async () => {
    t = await testApp()
    const vm = await activeVm(await environment(t))
    const a = await availableVolume('a')
    const b = await availableVolume('b')
    expect((await t.call('POST', `/api/v1/volumes/${a}/attach/${vm}`)).body.device).toBe('/dev/vdb')
    expect((await t.call('POST', `/api/v1/volumes/${b}/attach/${vm}`)).body.device).toBe('/dev/vdc')
    await t.advance(1_000)
    await t.call('DELETE', `/api/v1/vms/${vm}`)
    await t.advance(1_000)
    for (const v of [a, b]) expect((await t.call('GET', `/api/v1/volumes/${v}`)).body).toMatchObject({ status: 'available', vm_id: null })
  })

  it('refuses to attach to a VM that is still building, or to an unknown VM', async () => {
    t = await testApp()
    const env = await environment(t)
    const vol = await availableVolume()
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'b', environment_id: env })
    const early = await t.call('POST', `/api/v1/volumes/${vol}/attach/${vm.id}`)
    expect(early.status).toBe(409)
    expect(early.body.error.message).toMatch(/while it is building/)
    expect((await t.call('POST', `/api/v1/volumes/${vol}/attach/nope`)).status).toBe(404)
    expect((await t.call('GET', `/api/v1/volumes/${vol}`)).body.status).toBe('available')
  })
})
