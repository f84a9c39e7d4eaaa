import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp({ timing: ['vm.create.latency=2s'] })
})
afterEach(() => t.close())

/** A request with headers, answering status, headers and JSON body. */
async function send(method: 'GET' | 'PATCH', url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) })
  return { status: res.statusCode, headers: res.headers, body: res.body ? res.json() : undefined }
}

const updateEvents = async (id: string) =>
  (await t.call('GET', '/_mockcloud/events/history?limit=1000')).body.items.filter((e: any) => e.resource_id === id && e.operation === 'update')

describe('PATCH /api/v1/{collection}/{id}: the engine update verb', () => {
  it('renames a VM while it builds, keeps its state and lifecycle, and records one update event with the resource', async () => {
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const res = await send('PATCH', `/api/v1/vms/${vm.id}`, { name: 'web-renamed' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: vm.id, name: 'web-renamed', status: 'building' })
    expect(res.headers['etag']).toBe('"2"')
    await t.advance(2_000)
    // NOTE: the rename bumped the version; the build scheduled against version 1 still completes (a rename is not a new operation).
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body).toMatchObject({ name: 'web-renamed', status: 'active' })
    const [event] = await updateEvents(vm.id)
    expect(event).toMatchObject({ type: 'changed', operation: 'update', from_status: 'building', to_status: 'building', resource: { name: 'web-renamed' } })
  })

  it('changes only the fields given, on every collection that has something to change', async () => {
    const env = await environment(t)
    const cases: Array<[string, unknown, Record<string, unknown>]> = [
      [`/api/v1/environments/${env}`, { description: 'the staging one' }, { description: 'the staging one' }],
      [`/api/v1/security-groups/${(await t.call('POST', '/api/v1/security-groups', { name: 'web' })).body.id}`, { name: 'web-2', description: 'd' }, { name: 'web-2', description: 'd' }],
      [`/api/v1/volumes/${(await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).body.id}`, { description: 'logs' }, { name: 'v', description: 'logs', size_gb: 1 }],
      [`/api/v1/floating-ips/${(await t.call('POST', '/api/v1/floating-ips')).body.id}`, { description: 'front door' }, { description: 'front door' }],
      [`/api/v1/dns-records/${(await t.call('POST', '/api/v1/dns-records', { name: 'a.example.com', type: 'A', value: '41.100.0.9' })).body.id}`, { ttl: 60 }, { name: 'a.example.com', ttl: 60 }],
      [`/api/v1/containers/${(await t.call('POST', '/api/v1/containers', { name: 'c', image: 'nginx' })).body.id}`, { name: 'c2' }, { name: 'c2' }],
    ]
    for (const [url, patch, expected] of cases) {
      const res = await send('PATCH', url, patch)
      expect(res.status, url).toBe(200)
      expect(res.body, url).toMatchObject(expected)
      expect((await t.call('GET', url)).body, url).toMatchObject(expected)
    }
  })

  it('If-Match with the ETag of a GET: applied when current, 412 naming If-Match when the resource changed since', async () => {
    const { body: group } = await t.call('POST', '/api/v1/security-groups', { name: 'web' })
    const url = `/api/v1/security-groups/${group.id}`
    const etag = (await send('GET', url)).headers['etag'] as string
    expect(etag).toBe('"1"')
    expect((await send('PATCH', url, { description: 'first' }, { 'if-match': etag })).status).toBe(200)
    const stale = await send('PATCH', url, { description: 'second' }, { 'if-match': etag })
    expect(stale.status).toBe(412)
    expect(stale.body.error).toMatchObject({ status: 412, code: 'EMU_ERR_PRECONDITION_FAILED', field: 'If-Match', message: expect.stringMatching(/is at version 2, not 1/) })
    expect((await t.call('GET', url)).body.description).toBe('first')
    expect((await send('PATCH', url, { description: 'third' }, { 'if-match': '*' })).status).toBe(200)
    const junk = await send('PATCH', url, { description: 'x' }, { 'if-match': 'yesterday' })
    expect([junk.status, junk.body.error.field]).toEqual([400, 'If-Match'])
  })

  it('refuses what may not change, in the error shape naming the field, and changes nothing', async () => {
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const { body: record } = await t.call('POST', '/api/v1/dns-records', { name: 'a.example.com', type: 'A', value: '41.100.0.9' })
    const refusals: Array<[string, unknown, number, string | null]> = [
      [`/api/v1/vms/${vm.id}`, {}, 400, 'body'],
      [`/api/v1/vms/${vm.id}`, { flavor: 'm1.large' }, 400, 'flavor'],
      [`/api/v1/vms/${vm.id}`, { name: '' }, 400, 'name'],
      [`/api/v1/vms/${vm.id}`, { name: 'a\u0000b' }, 400, 'name'],
      [`/api/v1/dns-records/${record.id}`, { name: 'b.example.com' }, 400, 'name'],
      [`/api/v1/dns-records/${record.id}`, { ttl: 0 }, 400, 'ttl'],
      [`/api/v1/vms/no-such-vm`, { name: 'x' }, 404, null],
    ]
    for (const [url, patch, status, field] of refusals) {
      const res = await send('PATCH', url, patch)
      expect(res.status, `${url} ${JSON.stringify(patch)}`).toBe(status)
      expect(res.body.error, `${url} ${JSON.stringify(patch)}`).toMatchObject({ status, field })
    }
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.name).toBe('web')
    expect((await t.call('GET', `/api/v1/dns-records/${record.id}`)).body).toMatchObject({ name: 'a.example.com', ttl: expect.any(Number) })
    expect(await updateEvents(vm.id)).toEqual([])
    // NOTE: flavors are shared and read-only: no PATCH route.
    const flavor = (await t.call('GET', '/api/v1/flavors')).body.items[0]
    expect((await send('PATCH', `/api/v1/flavors/${flavor.id}`, { name: 'mine' })).status).toBe(405)
  })

  it('keeps the default security group findable: it cannot be renamed, and no other group can take its name', async () => {
    const env = await environment(t)
    await t.call('POST', '/api/v1/vms', { name: 'web', environment_id: env })
    const [def] = (await t.call('GET', '/api/v1/security-groups?name=default')).body.items
    const renamed = await send('PATCH', `/api/v1/security-groups/${def.id}`, { name: 'other' })
    expect([renamed.status, renamed.body.error.message]).toEqual([409, `the default security group of project default cannot be renamed`])
    expect((await send('PATCH', `/api/v1/security-groups/${def.id}`, { description: 'still default' })).status).toBe(200)
    const { body: web } = await t.call('POST', '/api/v1/security-groups', { name: 'web' })
    expect((await send('PATCH', `/api/v1/security-groups/${web.id}`, { name: 'default' })).status).toBe(409)
  })

  it('a change that changes nothing writes nothing: same version, no event', async () => {
    const { body: group } = await t.call('POST', '/api/v1/security-groups', { name: 'web', description: 'd' })
    const res = await send('PATCH', `/api/v1/security-groups/${group.id}`, { name: 'web', description: 'd' })
    expect([res.status, res.headers['etag']]).toEqual([200, '"1"'])
    expect(await updateEvents(group.id)).toEqual([])
  })
})

describe('engine.update', () => {
  it('refuses data fields its kind does not let change, and data its schema refuses, naming the field', async () => {
    const { engine } = t.app.mockcloud
    const env = await environment(t)
    const vm = await engine.create('default', 'compute.server', { name: 'web', networkId: env })
    await expect(engine.update('default', 'compute.server', vm.id, { data: { flavorId: 'x' } })).rejects.toMatchObject({ status: 400, field: 'flavorId' })
    const net = await engine.get('default', 'network.network', env)
    await expect(engine.update('default', 'network.network', net.id, { data: { description: 42 } })).rejects.toMatchObject({ status: 400, field: 'description' })
    await expect(engine.update('default', 'network.network', net.id, { name: 'x'.repeat(256) })).rejects.toMatchObject({ status: 400, field: 'name' })
    const stale = engine.update('default', 'network.network', net.id, { name: 'n2', expectedVersion: net.version + 1 })
    await expect(stale).rejects.toMatchObject({ status: 409, code: 'EMU_ERR_CONFLICT' })
    expect((await engine.get('default', 'network.network', net.id)).version).toBe(net.version)
  })
})
