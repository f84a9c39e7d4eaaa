import { afterEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
afterEach(() => t?.close())

describe('lists', () => {
  it('paginate with an opaque cursor that stays stable under concurrent inserts', async () => {
    t = await testApp()
    const created: string[] = []
    for (let i = 0; i < 25; i++) created.push((await t.call('POST', '/api/v1/volumes', { name: `v${i}`, size_gb: 1 })).body.id)
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res: { status: number; body: { items: Array<{ id: string }>; next_cursor: string | null } } = await t.call('GET', `/api/v1/volumes?limit=10${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).toBe(200)
      seen.push(...res.body.items.map((v) => v.id))
      cursor = res.body.next_cursor
      // Inserts between pages show up later, never twice, never shifting what is left.
      if (pages++ === 0) created.push((await t.call('POST', '/api/v1/volumes', { name: 'late', size_gb: 1 })).body.id)
    } while (cursor)
    expect(seen).toEqual(created)
    expect(pages).toBe(3)
  })

  it('show each item exactly as GET by id shows it, at its newest version, however often read', async () => {
    t = await testApp()
    const env = await environment(t, 'one')
    const create = async (name: string): Promise<{ id: string }> => (await t.call('POST', '/api/v1/vms', { name, environment_id: env })).body
    const [a, b, c] = [await create('a'), await create('b'), await create('c')]
    const vms = [a, b, c]
    const page = async () => (await t.call('GET', '/api/v1/vms')).body
    const byId = async () => Promise.all(vms.map(async (v) => (await t.call('GET', `/api/v1/vms/${v.id}`)).body))
    expect((await page()).items).toEqual(await byId())
    expect((await page()).items.map((v: { status: string }) => v.status)).toEqual(['building', 'building', 'building'])
    await t.advance(3_000)
    await t.call('POST', `/api/v1/vms/${b.id}/stop`)
    const after = await page()
    expect(after.items.map((v: { status: string }) => v.status)).toEqual(['active', 'stopping', 'active'])
    expect(after.items).toEqual(await byId())
    expect(after.next_cursor).toBeNull()
    await t.call('DELETE', `/api/v1/vms/${a.id}`)
    await t.advance(10_000)
    expect((await page()).items.map((v: { id: string }) => v.id)).toEqual([b.id, c.id])
    expect((await t.call('GET', '/api/v1/vms?limit=1')).body.next_cursor).toEqual(expect.any(String))
  })

  it('filter by status, name and environment_id', async () => {
    t = await testApp()
    const e1 = await environment(t, 'one')
    const e2 = await environment(t, 'two')
    const a = (await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: e1 })).body
    await t.advance(3_000)
    const b = (await t.call('POST', '/api/v1/vms', { name: 'b', environment_id: e2 })).body
    const ids = async (q: string) => (await t.call('GET', `/api/v1/vms?${q}`)).body.items.map((v: { id: string }) => v.id)
    expect(await ids('status=active')).toEqual([a.id])
    expect(await ids('status=building')).toEqual([b.id])
    expect(await ids('name=b')).toEqual([b.id])
    expect(await ids(`environment_id=${e1}`)).toEqual([a.id])
    expect(await ids(`environment_id=${e2}&status=active`)).toEqual([])
  })

  it('environments get the lowest free 10.N.0.0/16 each, and an explicit cidr may not overlap', async () => {
    t = await testApp()
    const cidrs = []
    for (const name of ['a', 'b', 'c']) cidrs.push((await t.call('POST', '/api/v1/environments', { name })).body.cidr)
    expect(cidrs).toEqual(['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16'])
    expect((await t.call('POST', '/api/v1/environments', { name: 'x', cidr: '10.1.128.0/24' })).status).toBe(409)
    expect((await t.call('POST', '/api/v1/environments', { name: 'y', cidr: '192.168.10.0/24' })).body.cidr).toBe('192.168.10.0/24')
    const list = (await t.call('GET', '/api/v1/environments')).body.items
    expect(list.map((e: { name: string }) => e.name)).toEqual(['a', 'b', 'c', 'y']) // not the shared public network
  })
})

describe('projects', () => {
  it('see only their own resources; another project\'s ids answer 404', async () => {
    t = await testApp()
    const alice = { 'x-project-id': 'alice' }
    const bob = { 'x-project-id': 'bob' }
    const env = await environment(t, 'e', alice)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env }, alice)).body
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`, undefined, alice)).status).toBe(200)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`, undefined, bob)).status).toBe(404)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).status).toBe(404) // the default project
    expect((await t.call('DELETE', `/api/v1/vms/${vm.id}`, undefined, bob)).status).toBe(404)
    expect((await t.call('GET', '/api/v1/vms', undefined, bob)).body.items).toEqual([])
    // Bob cannot put a VM on Alice's environment either.
    const cross = await t.call('POST', '/api/v1/vms', { name: 'x', environment_id: env }, bob)
    expect(cross.status).toBe(400)
    expect(cross.body.error.field).toBe('environment_id')
    // Each project has its own address plan.
    expect((await t.call('POST', '/api/v1/environments', { name: 'e' }, bob)).body.cidr).toBe('10.0.0.0/16')
  })
})
