import { afterEach, describe, expect, it } from 'vitest'
import { parseQuotaFlags } from '../../src/engine/quotas.js'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

/** OpenStack's defaults, as a fresh project has them. */
const openstack = () => testApp({ quotaDefaults: {}, timing: ['vm.create.latency=1s', 'vm.delete.latency=1s', 'volume.create.latency=1s'] })
const quotas = async (project = 'default') => (await t.call('GET', `/_mockcloud/quotas/${project}`)).body.quotas
const vm = (env: string, name: string, flavor = 'm1.small') => t.call('POST', '/api/v1/vms', { name, environment_id: env, flavor })

describe('quotas', () => {
  it("a fresh project has OpenStack's defaults, and its usage counts what it holds", async () => {
    t = await openstack()
    const q = await quotas()
    expect(q.instances).toEqual({ limit: 10, used: 0, own: false })
    expect([q.cores.limit, q.ram.limit, q.volumes.limit, q.gigabytes.limit, q.floating_ips.limit, q.networks.limit, q.security_groups.limit]).toEqual([20, 51_200, 10, 1_000, 50, 100, 10])
    const env = await environment(t)
    await vm(env, 'a', 'm1.medium')
    const after = await quotas()
    expect([after.instances.used, after.cores.used, after.ram.used, after.ports.used, after.networks.used, after.subnets.used, after.security_groups.used]).toEqual([1, 2, 4096, 1, 1, 1, 1])
  })

  it('the create past a limit is a 409 naming the quota, and leaves nothing behind', async () => {
    t = await openstack()
    const env = await environment(t)
    for (let i = 0; i < 10; i++) expect((await vm(env, `vm${i}`)).status).toBe(202)
    const before = (await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq
    const refused = await vm(env, 'eleventh')
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({
      code: 'EMU_ERR_QUOTA_EXCEEDED',
      message: 'quota exceeded for instances in default: 10 of 10 in use, 1 more asked for (raise it with PUT /_mockcloud/quotas/default, or serve --quota instances=N)',
    })
    expect((await t.call('GET', '/api/v1/vms?limit=1000')).body.items).toHaveLength(10)
    expect((await quotas()).ports.used).toBe(10)
    expect((await t.call('GET', '/_mockcloud/events/history?limit=1')).body.last_seq).toBe(before)
  })

  it('counts cores, RAM and gigabytes by what each resource takes', async () => {
    t = await openstack()
    const env = await environment(t)
    expect((await vm(env, 'big1', 'm1.xlarge')).status).toBe(202)
    expect((await vm(env, 'big2', 'm1.xlarge')).status).toBe(202)
    const third = await vm(env, 'big3', 'm1.xlarge')
    expect([third.status, third.body.error.message]).toEqual([409, expect.stringMatching(/^quota exceeded for cores in default: 16 of 20 in use, 8 more asked for/)])
    expect((await t.call('POST', '/api/v1/volumes', { name: 'v1', size_gb: 600 })).status).toBe(202)
    const v2 = await t.call('POST', '/api/v1/volumes', { name: 'v2', size_gb: 500 })
    expect([v2.status, v2.body.error.message]).toEqual([409, expect.stringMatching(/^quota exceeded for gigabytes/)])
  })

  it('gives back what a deleted resource held once it is gone', async () => {
    t = await openstack()
    const env = await environment(t)
    const ids = []
    for (let i = 0; i < 10; i++) ids.push((await vm(env, `vm${i}`)).body.id)
    await t.advance(1_000)
    await t.call('DELETE', `/api/v1/vms/${ids[0]}`)
    // NOTE: as in Nova, a server being deleted still counts until it is gone.
    expect((await quotas()).instances.used).toBe(10)
    await t.advance(1_000)
    expect((await quotas()).instances.used).toBe(9)
    expect((await vm(env, 'again')).status).toBe(202)
  })

  it("sets a project's own limits through the control face, refuses bad ones naming the field, and drops them", async () => {
    t = await openstack()
    const env = await environment(t)
    const set = await t.call('PUT', '/_mockcloud/quotas/default', { instances: 1, floating_ips: -1 })
    expect(set.status).toBe(200)
    expect(set.body.quotas.instances).toEqual({ limit: 1, used: 0, own: true })
    expect(set.body.quotas.floating_ips).toEqual({ limit: -1, used: 0, own: true })
    expect((await vm(env, 'one')).status).toBe(202)
    expect((await vm(env, 'two')).status).toBe(409)
    // NOTE: another project keeps the defaults.
    expect((await quotas('other')).instances).toEqual({ limit: 10, used: 0, own: false })
    for (const [body, field] of [
      [{ instances: -2 }, 'instances'],
      [{ instances: 1.5 }, 'instances'],
      [{ spaceships: 1 }, 'spaceships'],
    ] as const) {
      const bad = await t.call('PUT', '/_mockcloud/quotas/default', body)
      expect([bad.status, bad.body.error.field], JSON.stringify(body)).toEqual([400, field])
    }
    expect((await quotas()).instances.limit).toBe(1)
    expect((await t.call('DELETE', '/_mockcloud/quotas/default')).body.quotas.instances).toEqual({ limit: 10, used: 1, own: false })
    expect((await vm(env, 'two')).status).toBe(202)
  })

  it('a project reset counts again from nothing and keeps its own limits; a full reset drops them', async () => {
    t = await openstack()
    const env = await environment(t)
    await t.call('PUT', '/_mockcloud/quotas/default', { instances: 3 })
    await vm(env, 'a')
    await t.call('POST', '/_mockcloud/reset', { project: 'default' })
    expect((await quotas()).instances).toEqual({ limit: 3, used: 0, own: true })
    await t.call('POST', '/_mockcloud/reset', {})
    expect((await quotas()).instances).toEqual({ limit: 10, used: 0, own: false })
  })

  it('a loaded snapshot is counted again from its resources', async () => {
    t = await openstack()
    const env = await environment(t)
    await vm(env, 'a')
    await vm(env, 'b')
    const snapshot = (await t.call('GET', '/_mockcloud/snapshot')).body
    await vm(env, 'c')
    expect((await t.call('POST', '/_mockcloud/snapshot', snapshot)).status).toBe(200)
    expect((await quotas()).instances.used).toBe(2)
  })

  it('--quota sets the limits of every project: name=limit, *=-1 lifts them all', async () => {
    expect(parseQuotaFlags(['*=-1', 'instances=5', 'floating_ips=7'])).toMatchObject({ instances: 5, cores: -1, ram: -1, pods: -1, floatingIps: 7 })
    expect(() => parseQuotaFlags(['instances'])).toThrow(/quota: 'instances' is not name=limit/)
    expect(() => parseQuotaFlags(['spaceships=1'])).toThrow(/quota\.spaceships: not a quota/)
    // NOTE: the native API names a quota as the control face does.
    t = await testApp({ quotaDefaults: parseQuotaFlags(['floating_ips=1']) })
    expect((await t.call('POST', '/api/v1/floating-ips')).status).toBe(201)
    const refused = await t.call('POST', '/api/v1/floating-ips')
    expect(refused.body.error.message).toBe('quota exceeded for floating_ips in default: 1 of 1 in use, 1 more asked for (raise it with PUT /_mockcloud/quotas/default, or serve --quota floating_ips=N)')
    await t.close()
    t = await testApp({ quotaDefaults: parseQuotaFlags(['instances=2']) })
    const env = await environment(t)
    expect([(await vm(env, 'a')).status, (await vm(env, 'b')).status, (await vm(env, 'c')).status]).toEqual([202, 202, 409])
  })
})
