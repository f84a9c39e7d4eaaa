import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp()
})
afterEach(() => t.close())

describe('a trailing slash (as seed 002 clients write paths) changes nothing', () => {
  it('on collections, ids, actions and the control face', async () => {
    const created = await t.call('POST', '/api/v1/environments/', { name: 'e' })
    expect(created.status).toBe(201)
    const list = await t.call('GET', '/api/v1/environments/')
    expect(list.status).toBe(200)
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([created.body.id])
    expect((await t.call('GET', `/api/v1/environments/${created.body.id}/`)).body.name).toBe('e')
    const vm = await t.call('POST', '/api/v1/vms/', { name: 'v', environment_id: created.body.id })
    expect(vm.status).toBe(202)
    await t.advance(60_000)
    expect((await t.call('POST', `/api/v1/vms/${vm.body.id}/stop/`)).status).toBe(202)
    expect((await t.call('GET', '/_mockcloud/clock/')).status).toBe(200)
    expect((await t.call('DELETE', `/api/v1/environments/${created.body.id}/`)).status).toBe(409)
  })
})

describe('flavors and images are listed read-only', () => {
  it('lists and gets the seeded flavors', async () => {
    const list = await t.call('GET', '/api/v1/flavors')
    expect(list.status).toBe(200)
    expect(list.body.items.map((f: { name: string }) => f.name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge'])
    const small = await t.call('GET', '/api/v1/flavors/2')
    expect(small.body).toEqual({
      id: '2',
      name: 'm1.small',
      status: 'active',
      vcpus: 1,
      ram_mb: 2048,
      disk_gb: 20,
      ephemeral_gb: 0,
      swap_mb: 0,
      is_public: true,
      description: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    })
    expect((await t.call('GET', '/api/v1/flavors?name=m1.large')).body.items.map((f: { id: string }) => f.id)).toEqual(['4'])
    const page = await t.call('GET', '/api/v1/flavors?limit=2')
    expect(page.body.items).toHaveLength(2)
    expect(page.body.next_cursor).toEqual(expect.any(String))
  })

  it('lists and gets the seeded images, in any project, and a VM names the same ones', async () => {
    const list = await t.call('GET', '/api/v1/images', undefined, { 'x-project-id': 'team-b' })
    expect(list.body.items.map((i: { name: string }) => i.name).sort()).toEqual(['cirros-0.6.2-x86_64-disk', 'debian-12', 'ubuntu-22.04', 'ubuntu-24.04'])
    const ubuntu = list.body.items.find((i: { name: string }) => i.name === 'ubuntu-22.04')
    expect(ubuntu).toMatchObject({ status: 'active', disk_format: 'qcow2', container_format: 'bare', visibility: 'public', os_distro: 'ubuntu', os_version: '22.04', size_bytes: 691_011_584 })
    expect((await t.call('GET', `/api/v1/images/${ubuntu.id}`)).body).toEqual(ubuntu)
    const vm = await t.call('POST', '/api/v1/vms', { name: 'v', environment_id: await environment(t) })
    expect(vm.body).toMatchObject({ image_id: ubuntu.id, flavor_id: '2' })
  })

  it('answers 404 for unknown ones and 405 to writes', async () => {
    expect((await t.call('GET', '/api/v1/flavors/99')).body.error).toMatchObject({ status: 404, message: 'flavor 99 not found' })
    expect((await t.call('GET', '/api/v1/images/nope')).body.error).toMatchObject({ status: 404, message: 'image nope not found' })
    const post = await t.app.inject({ method: 'POST', url: '/api/v1/flavors', payload: { name: 'm9.huge' } })
    expect(post.statusCode).toBe(405)
    expect(post.headers['allow']).toBe('GET, HEAD')
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/images/x' })).statusCode).toBe(405)
    expect((await t.call('GET', '/api/v1/flavors')).body.items).toHaveLength(5)
  })
})

describe('the OpenAPI document', () => {
  it('describes X-Project-Id on every native route, and the keys as security schemes', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body
    const native = Object.entries(doc.paths as Record<string, Record<string, any>>).filter(([path]) => path.startsWith('/api/v1/'))
    expect(native.length).toBeGreaterThan(20)
    for (const [path, operations] of native) {
      for (const [method, op] of Object.entries(operations)) {
        const header = op.parameters?.find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'X-Project-Id')
        expect(header, `${method} ${path}`).toMatchObject({ required: false, schema: { type: 'string', default: 'default' } })
        expect(op.security, `${method} ${path}`).toEqual([{ ApiKey: [] }, { BearerKey: [] }, {}])
      }
    }
    expect(doc.components.securitySchemes).toEqual({
      ApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
      ControlKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Mockcloud-Control-Key' }),
      BearerKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    })
    expect(doc.paths['/_mockcloud/clock'].get.security).toEqual([{ ControlKey: [] }, { BearerKey: [] }, {}])
    expect(doc.paths['/_mockcloud/clock'].get.parameters ?? []).not.toContainEqual(expect.objectContaining({ name: 'X-Project-Id' }))
    expect(doc.paths['/health'].get.security).toBeUndefined()
    for (const p of ['/api/v1/flavors', '/api/v1/flavors/{id}', '/api/v1/images', '/api/v1/images/{id}']) expect(Object.keys(doc.paths[p]), p).toEqual(['get'])
    expect(doc.paths['/api/v1/images/{id}'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('disk_format')
  })

  it('requires the keys, without the "or nothing" alternative, when the server has them', async () => {
    const { buildApp } = await import('../../src/server/app.js')
    const locked = await buildApp({ runtime: t.app.mockcloud, apiKey: 'k', controlKey: 'c' })
    try {
      const doc = (await locked.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Bearer c' } })).json()
      expect(doc.paths['/api/v1/vms'].post.security).toEqual([{ ApiKey: [] }, { BearerKey: [] }])
      expect(doc.paths['/metrics'].get.security).toEqual([{ ControlKey: [] }, { BearerKey: [] }])
    } finally {
      await locked.close()
    }
  })
})

describe('ReDoc at /redoc', () => {
  it('serves a page over /openapi.json, with the viewer from the redoc package or, without it, from its CDN', async () => {
    for (const url of ['/redoc', '/redoc/']) {
      const page = await t.app.inject({ method: 'GET', url })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('<redoc spec-url="/openapi.json">')
      expect(page.body).toContain('<script src="/redoc/redoc.standalone.js">')
    }
    // NOTE: redoc is an optional peer (115 packages for one file), not installed here.
    const bundle = await t.app.inject({ method: 'GET', url: '/redoc/redoc.standalone.js' })
    expect(bundle.statusCode).toBe(302)
    expect(bundle.headers['location']).toMatch(/^https:\/\/cdn\.redoc\.ly\/redoc\/v2\.[\d.]+\/bundles\/redoc\.standalone\.js$/)
  })
})
