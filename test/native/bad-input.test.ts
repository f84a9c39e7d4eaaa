import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
let env: string
beforeEach(async () => {
  t = await testApp()
  env = await environment(t)
})
afterEach(() => t.close())

/** Counts every resource of the default project, whatever its kind, straight from the store. */
async function resourceCount(): Promise<number> {
  const rows = await t.app.mockcloud.engine.store.db.selectFrom('resources').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  const addresses = await t.app.mockcloud.engine.store.db.selectFrom('ip_allocations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(rows.n) * 1_000_000 + Number(addresses.n)
}

async function expectError(method: string, url: string, body: unknown, status: number, field: string | null, message?: RegExp, headers?: Record<string, string>) {
  const before = await resourceCount()
  const res = await t.call(method, url, body, headers)
  expect(res.status, `${method} ${url} ${JSON.stringify(body)} -> ${JSON.stringify(res.body)}`).toBe(status)
  expect(res.body.error.status).toBe(status)
  expect(res.body.error.field).toBe(field)
  if (message) expect(res.body.error.message).toMatch(message)
  if (field) expect(res.body.error.message.startsWith(`${field}:`)).toBe(true)
  // Never a half-written resource: nothing was added, no address was kept.
  expect(await resourceCount()).toBe(before)
}

describe('bad input answers 400 naming the field, and writes nothing', () => {
  const cases: Array<[string, string, () => unknown, string, RegExp?]> = [
    ['missing name', '/api/v1/vms', () => ({ environment_id: env }), 'name', /is required/],
    ['missing environment', '/api/v1/vms', () => ({ name: 'a' }), 'environment_id', /is required/],
    ['unknown environment', '/api/v1/vms', () => ({ name: 'a', environment_id: 'no-such-env' }), 'environment_id', /no environment/],
    ['wrong type', '/api/v1/vms', () => ({ name: 42, environment_id: env }), 'name', /must be string/],
    ['empty name', '/api/v1/vms', () => ({ name: '', environment_id: env }), 'name'],
    ['unknown field', '/api/v1/vms', () => ({ name: 'a', environment_id: env, flavour: 'm1.small' }), 'flavour', /not a known field/],
    ['unknown flavor', '/api/v1/vms', () => ({ name: 'a', environment_id: env, flavor: 'm9.huge' }), 'flavor', /no flavor/],
    ['unknown image', '/api/v1/vms', () => ({ name: 'a', environment_id: env, image: 'windows-95' }), 'image', /no image/],
    ['unknown security group', '/api/v1/vms', () => ({ name: 'a', environment_id: env, security_group_ids: ['default', 'nope'] }), 'security_group_ids[1]', /no security group/],
    ['metadata not strings', '/api/v1/vms', () => ({ name: 'a', environment_id: env, metadata: { a: 1 } }), 'metadata.a'],
    ['size missing', '/api/v1/volumes', () => ({ name: 'v' }), 'size_gb', /is required/],
    ['size zero', '/api/v1/volumes', () => ({ name: 'v', size_gb: 0 }), 'size_gb', /must be >= 1/],
    ['size as text', '/api/v1/volumes', () => ({ name: 'v', size_gb: '10' }), 'size_gb', /must be integer/],
    ['bad cidr', '/api/v1/environments', () => ({ name: 'e', cidr: '10.0.0.1/16' }), 'cidr', /host bits/],
    ['rule without direction', '/api/v1/security-groups', () => ({ name: 'g', rules: [{ protocol: 'tcp' }] }), 'rules[0].direction', /is required/],
    ['rule bad port', '/api/v1/security-groups', () => ({ name: 'g', rules: [{ direction: 'ingress', protocol: 'tcp', port_range_min: 70000 }] }), 'rules[0].port_range_min'],
    ['rule bad protocol', '/api/v1/security-groups', () => ({ name: 'g', rules: [{ direction: 'ingress', protocol: 'smtp' }] }), 'rules[0].protocol', /not a protocol/],
    ['rule bad prefix', '/api/v1/security-groups', () => ({ name: 'g', rules: [{ direction: 'ingress', remote_ip_prefix: '300.0.0.0/8' }] }), 'rules[0].remote_ip_prefix'],
    ['rule ports without protocol', '/api/v1/security-groups', () => ({ name: 'g', rules: [{ direction: 'ingress', port_range_min: 22 }] }), 'rules[0].protocol'],
    ['dns bad type', '/api/v1/dns-records', () => ({ name: 'a.example.com', type: 'XYZ', value: '1.2.3.4' }), 'type', /not a record type/],
    ['dns bad A value', '/api/v1/dns-records', () => ({ name: 'a.example.com', type: 'A', value: 'example.com' }), 'value', /not a valid A value/],
    ['dns bad name', '/api/v1/dns-records', () => ({ name: 'bad name!', type: 'A', value: '1.2.3.4' }), 'name', /not a DNS name/],
    ['dns no value', '/api/v1/dns-records', () => ({ name: 'a.example.com', type: 'A' }), 'records', /at least one/],
    ['container bad image', '/api/v1/containers', () => ({ name: 'c', image: 'Not An Image' }), 'image', /not an image reference/],
    ['container bad port', '/api/v1/containers', () => ({ name: 'c', image: 'nginx', ports: [0] }), 'ports[0]'],
    ['floating IP unknown field', '/api/v1/floating-ips', () => ({ pool: 'x' }), 'pool', /not a known field/],
    ['body is an array', '/api/v1/volumes', () => [1, 2], 'body', /must be a JSON object/],
  ]
  for (const [what, url, body, field, message] of cases) {
    it(`${what}: POST ${url}`, () => expectError('POST', url, body(), 400, field, message))
  }

  it('malformed JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: { 'content-type': 'application/json' }, payload: '{"name": "a",' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error).toMatchObject({ field: 'body', code: 'EMU_ERR_VALIDATION' })
    expect(res.json().error.message).toMatch(/malformed JSON/)
  })

  it('an empty JSON body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/volumes', headers: { 'content-type': 'application/json' }, payload: '' })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.field).toBe('body')
  })

  it('query parameters', async () => {
    await expectError('GET', '/api/v1/vms?limit=0', undefined, 400, 'limit', /must be >= 1/)
    await expectError('GET', '/api/v1/vms?limit=abc', undefined, 400, 'limit')
    await expectError('GET', '/api/v1/vms?limit=5000', undefined, 400, 'limit')
    await expectError('GET', '/api/v1/vms?cursor=garbage', undefined, 400, 'cursor', /not a cursor/)
    await expectError('GET', '/api/v1/vms?colour=red', undefined, 400, 'colour', /not a known field/)
  })

  it('path and header parameters', async () => {
    await expectError('GET', '/api/v1/vms/bad%20id', undefined, 400, 'id')
    await expectError('GET', '/api/v1/vms', undefined, 400, 'X-Project-Id', /not a project id/, { 'x-project-id': '~shared' })
  })
})

describe('unknown ids answer 404 in the native error format', () => {
  for (const path of ['environments', 'security-groups', 'vms', 'volumes', 'floating-ips', 'dns-records', 'containers']) {
    it(`GET and DELETE /api/v1/${path}/{unknown}`, async () => {
      await expectError('GET', `/api/v1/${path}/00000000-0000-4000-8000-000000000000`, undefined, 404, null, /not found/)
      await expectError('DELETE', `/api/v1/${path}/00000000-0000-4000-8000-000000000000`, undefined, 404, null, /not found/)
    })
  }
  it('actions on unknown ids, and unknown routes', async () => {
    await expectError('POST', '/api/v1/vms/nope/stop', undefined, 404, null)
    await expectError('POST', '/api/v1/volumes/nope/attach/nope', undefined, 404, null)
    await expectError('POST', '/api/v1/floating-ips/nope/detach', undefined, 404, null)
    await expectError('GET', '/api/v1/nothing-here', undefined, 404, null, /no route/)
  })
  it('the shared flavors and images are not deletable as environments', async () => {
    const publicNet = '/api/v1/environments/' + (await t.app.mockcloud.engine.list('default', 'network.network')).items.find((n) => n.name === 'public')!.id
    await expectError('DELETE', publicNet, undefined, 409, null, /shared/)
  })
})

describe('state conflicts answer 409 with a reason', () => {
  it('covers the conflicts of the native API', async () => {
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })).body
    await expectError('POST', `/api/v1/vms/${vm.id}/reboot`, undefined, 409, null, /while it is building/)
    await expectError('DELETE', `/api/v1/environments/${env}`, undefined, 409, null, /still has 1 VM/)
    await t.advance(3_000)
    const vol = (await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).body
    await expectError('POST', `/api/v1/volumes/${vol.id}/attach/${vm.id}`, undefined, 409, null, /creating/)
    await t.advance(3_000)
    await t.call('POST', `/api/v1/volumes/${vol.id}/attach/${vm.id}`)
    await expectError('POST', `/api/v1/volumes/${vol.id}/attach/${vm.id}`, undefined, 409, null, /already attached/)
    await expectError('DELETE', `/api/v1/volumes/${vol.id}`, undefined, 409, null, /detach it first/)
    const sg = (await t.call('POST', '/api/v1/security-groups', { name: 'web' })).body
    const vm2 = (await t.call('POST', '/api/v1/vms', { name: 'b', environment_id: env, security_group_ids: [sg.id] })).body
    await expectError('DELETE', `/api/v1/security-groups/${sg.id}`, undefined, 409, null, /in use by 1 VM/)
    const dflt = (await t.call('GET', '/api/v1/security-groups?name=default')).body.items[0]
    await expectError('DELETE', `/api/v1/security-groups/${dflt.id}`, undefined, 409, null, /default security group/)
    const cname = await t.call('POST', '/api/v1/dns-records', { name: 'x.example.com', type: 'CNAME', value: 'y.example.com' })
    expect(cname.status, JSON.stringify(cname.body)).toBe(201)
    expect(cname.body).toMatchObject({ name: 'x.example.com', type: 'CNAME', value: 'y.example.com' })
    await expectError('POST', '/api/v1/dns-records', { name: 'x.example.com', type: 'A', value: '1.2.3.4' }, 409, null, /CNAME/)
    await expectError('POST', '/api/v1/security-groups', { name: 'default' }, 409, null, /already has its default/)
    expect(vm2.security_group_ids).toEqual([sg.id])
  })
})
