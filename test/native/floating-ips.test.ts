import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

describe('floating IPs', () => {
  it('come from 41.100.0.0/16, attach to one VM at a time and record it', async () => {
    t = await testApp()
    const env = await environment(t)
    const vm1 = (await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })).body
    const vm2 = (await t.call('POST', '/api/v1/vms', { name: 'b', environment_id: env })).body
    await t.advance(3_000)
    const fip = await t.call('POST', '/api/v1/floating-ips')
    expect(fip.status).toBe(201)
    expect(fip.body).toMatchObject({ status: 'active', vm_id: null })
    expect(fip.body.address).toMatch(/^41\.100\.\d+\.\d+$/)

    const attached = await t.call('POST', `/api/v1/floating-ips/${fip.body.id}/attach/${vm1.id}`)
    expect(attached.status).toBe(200)
    expect(attached.body).toMatchObject({ vm_id: vm1.id, fixed_ip: vm1.ip_address })

    const again = await t.call('POST', `/api/v1/floating-ips/${fip.body.id}/attach/${vm2.id}`)
    expect(again.status).toBe(409)
    expect(again.body.error.message).toMatch(/already attached/)

    const second = (await t.call('POST', '/api/v1/floating-ips', {})).body
    expect((await t.call('POST', `/api/v1/floating-ips/${second.id}/attach/${vm1.id}`)).status).toBe(409)

    expect((await t.call('POST', `/api/v1/floating-ips/${fip.body.id}/detach`)).body.vm_id).toBeNull()
    expect((await t.call('POST', `/api/v1/floating-ips/${fip.body.id}/detach`)).status).toBe(409)
    expect((await t.call('DELETE', `/api/v1/floating-ips/${fip.body.id}`)).status).toBe(204)
    expect((await t.call('GET', `/api/v1/floating-ips/${fip.body.id}`)).status).toBe(404)
  })

  it('never hands out the same address twice, and says so when the pool is empty', async () => {
    t = await testApp({ publicCidr: '41.100.0.0/29' })
    const addresses = new Set<string>()
    for (let i = 0; i < 5; i++) {
      const res = await t.call('POST', '/api/v1/floating-ips')
      expect(res.status).toBe(201)
      addresses.add(res.body.address)
    }
    expect(addresses.size).toBe(5)
    const full = await t.call('POST', '/api/v1/floating-ips')
    expect(full.status).toBe(409)
    expect(full.body.error.message).toMatch(/no free address/)
  })
})
