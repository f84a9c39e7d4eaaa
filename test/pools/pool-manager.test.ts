import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testApp, type TestApp } from '../helpers/app.js'

/** The pool manager face (seed 004) through the whole stack: HTTP -> engine -> store, on a manual clock. */
describe('pool manager: seed 004 endpoints', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await testApp({ seed: 'pools' })
  })
  afterEach(() => t.close())

  const pm = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => t.call(method, `/pool-manager${path}`, body, headers)

  it('claims from default-pool (made with 5 pods when first asked for), the same pod for the same workspace, in seed 004 shape', async () => {
    const first = await pm('GET', '/pools/default-pool/workspace?workspaceId=workspace-123')
    expect(first.status).toBe(200)
    const ws = first.body.workspace
    expect(first.body.success).toBe(true)
    expect(ws).toMatchObject({ poolName: 'default-pool', claimedBy: 'workspace-123', usage_status: 'provisioning' })
    expect(ws.password).toMatch(/^[0-9a-f]{24}$/)
    expect(ws.url).toBe(`http://localhost:80/pods/${ws.id}/`)
    expect(Object.keys(ws.portMappings)).toEqual(['3000', '15551', '15552'])
    expect(ws.portMappings['15551']).toBe(`http://localhost:80/pods/${ws.id}/ports/15551/`)
    await t.advance(3_000)
    const again = await pm('GET', '/pools/default-pool/workspace?workspaceId=workspace-123')
    expect([again.body.workspace.id, again.body.workspace.usage_status]).toEqual([ws.id, 'used'])
    const status = await pm('GET', '/pools/default-pool/status')
    expect(status.body.pool).toMatchObject({ name: 'default-pool', total_workspaces: 6, available_workspaces: 5, used_workspaces: 1, size: 5 })
    const row = status.body.workspaces.find((w: { id: string }) => w.id === ws.id)
    expect(row).toEqual({ id: ws.id, status: 'used', claimed_by: 'workspace-123', claimed_at: '2026-01-01T00:00:00.000Z', url: ws.url })
  })

  it('a pool first asked for gets 3 pods; lists, gets, syncs, marks used and releases a workspace', async () => {
    const claimed = (await pm('GET', '/pools/test-pool/workspace?workspaceId=w1')).body.workspace
    await t.advance(3_000)
    expect((await pm('GET', '/pools/test-pool/workspaces')).body.workspaces).toHaveLength(4)
    expect((await pm('GET', `/workspaces/${claimed.id}`)).body.workspace).toMatchObject({ id: claimed.id, usage_status: 'used', claimedBy: 'w1' })
    const syncing = await pm('POST', `/workspaces/${claimed.id}/update`, { repositories: ['owner/repo1', 'owner/repo2'] })
    expect(syncing.body.workspace.usage_status).toBe('syncing')
    await t.advance(2_000)
    expect((await pm('GET', `/workspaces/${claimed.id}`)).body.workspace).toMatchObject({ usage_status: 'used', repositories: ['owner/repo1', 'owner/repo2'] })
    for (let i = 0; i < 2; i++) expect((await pm('POST', `/workspaces/${claimed.id}/mark-used`)).body.workspace.usage_status).toBe('used')
    const released = await pm('POST', `/workspaces/${claimed.id}/release`)
    expect(released.body.workspace).toMatchObject({ usage_status: 'free', claimedBy: null })
  })

  it('creates a pool with its settings, changes them, refuses a full pool, deletes it', async () => {
    const created = await pm('POST', '/pools', { name: 'small', size: 0, capacity: 1, domain: 'pods.example.com', ports: [8080] })
    expect(created.status).toBe(201)
    expect(created.body.pool).toMatchObject({ name: 'small', total_workspaces: 0, size: 0, capacity: 1, domain: 'pods.example.com', ports: [8080] })
    expect((await pm('POST', '/pools', { name: 'small' })).status).toBe(409)
    // NOTE: without a size, seed 004's: 5 for default-pool, 3 for others, within the capacity given.
    expect((await pm('POST', '/pools', { name: 'default-pool' })).body.pool.size).toBe(5)
    expect((await pm('POST', '/pools', { name: 'tiny', capacity: 2 })).body.pool).toMatchObject({ size: 2, capacity: 2 })
    const a = (await pm('GET', '/pools/small/workspace?workspaceId=a')).body.workspace
    expect(a.url).toBe('https://small-1.pods.example.com')
    expect(a.portMappings).toEqual({ '8080': 'https://small-1.pods.example.com:8080' })
    const full = await pm('GET', '/pools/small/workspace?workspaceId=b')
    expect(full.status).toBe(409)
    expect(full.body).toMatchObject({ success: false, code: 'EMU_ERR_EXHAUSTED', error: expect.stringMatching(/pool small is full/) })
    const bigger = await pm('PATCH', '/pools/small', { capacity: 2 })
    expect(bigger.body.pool.capacity).toBe(2)
    expect((await pm('GET', '/pools/small/workspace?workspaceId=b')).status).toBe(200)
    expect((await pm('DELETE', '/pools/small')).body).toEqual({ success: true })
    await t.advance(3_000)
    expect((await pm('GET', '/pools/small/status')).status).toBe(404)
  })

  it('a pool made with an apiKey answers only calls that bring it: 401 without, 403 with another key', async () => {
    expect((await pm('POST', '/pools', { name: 'locked', apiKey: 's3cret', size: 1 })).body.pool.keyed).toBe(true)
    await pm('POST', '/pools', { name: 'other', apiKey: 'k2', size: 0 })
    const bearer = { authorization: 'Bearer s3cret' }
    const none = await pm('GET', '/pools/locked/status')
    expect([none.status, none.body.success, none.body.code]).toEqual([401, false, 'EMU_ERR_UNAUTHORIZED'])
    expect((await pm('GET', '/pools/locked/status', undefined, { 'x-api-key': 'nope' })).status).toBe(403)
    expect((await pm('GET', '/pools/locked/status', undefined, { authorization: 'Bearer k2' })).status).toBe(403)
    expect((await pm('GET', '/pools/locked/workspace?workspaceId=w', undefined, { 'x-api-key': 'k2' })).status).toBe(403)
    const claimed = await pm('GET', '/pools/locked/workspace?workspaceId=w', undefined, bearer)
    expect(claimed.status).toBe(200)
    expect((await pm('GET', `/workspaces/${claimed.body.workspace.id}`)).status).toBe(401)
    expect((await pm('POST', `/workspaces/${claimed.body.workspace.id}/release`, undefined, { 'x-api-key': 'k2' })).status).toBe(403)
    expect((await pm('GET', `/workspaces/${claimed.body.workspace.id}`, undefined, { 'x-api-key': 's3cret' })).status).toBe(200)
    expect((await pm('GET', '/pools/other/status', undefined, { 'x-api-key': 'k2' })).status).toBe(200)
    // NOTE: the key goes with its pool: a pool made again under the name without one is open.
    expect((await pm('DELETE', '/pools/locked', undefined, bearer)).status).toBe(200)
    await t.advance(3_000)
    await pm('POST', '/pools', { name: 'locked', size: 0 })
    expect((await pm('GET', '/pools/locked/status')).status).toBe(200)
    expect((await pm('GET', '/pools/other/status', undefined, { 'x-api-key': 's3cret' })).status).toBe(403)
  })

  it("takes the control face's fault rules: a claim refused, a sync failed, a pod that crashes under its workspace", async () => {
    await pm('POST', '/pools', { name: 'faulty', size: 1 })
    await t.advance(3_000)
    const rule = (body: unknown) => t.call('POST', '/_mockcloud/faults', body)
    expect((await rule({ kind: 'pool', operation: 'claim', effect: { error: { status: 503, message: 'pool manager down' } }, count: 1 })).status).toBe(201)
    const refused = await pm('GET', '/pools/faulty/workspace?workspaceId=w1')
    expect([refused.status, refused.body]).toEqual([503, { success: false, error: 'pool manager down', code: 'EMU_ERR_INJECTED', field: null }])
    const crash = await rule({ kind: 'pod', operation: 'claim', effect: { crash_after_ms: 30_000 }, count: 1 })
    expect(crash.body).toMatchObject({ kind: 'pod', operation: 'claim', effect: { crash_after_ms: 30_000 } })
    const pod = (await pm('GET', '/pools/faulty/workspace?workspaceId=w1')).body.workspace
    expect(pod.usage_status).toBe('used')
    await rule({ kind: 'pod', operation: 'sync', effect: { fail_lifecycle: true }, count: 1 })
    await pm('POST', `/workspaces/${pod.id}/update`, { repositories: ['o/r'] })
    await t.advance(3_000)
    expect((await pm('GET', `/workspaces/${pod.id}`)).body.workspace).toMatchObject({ usage_status: 'used', error: expect.stringMatching(/simulated failure of pod sync/) })
    await t.advance(30_000)
    const dead = (await pm('GET', `/workspaces/${pod.id}`)).body.workspace
    expect(dead).toMatchObject({ usage_status: 'error', claimedBy: 'w1', error: `mockcloud: simulated crash of pod ${'faulty-1'} (fault rule ${crash.body.id})` })
    expect((await pm('POST', `/workspaces/${pod.id}/release`)).body.workspace.usage_status).toBe('deleting')
    const bad = await rule({ kind: 'vm', operation: 'create', effect: { crash_after_ms: 1 } })
    expect([bad.status, bad.body.error.field]).toEqual([400, 'effect.crash_after_ms'])
  })

  it('answers unknown pools and workspaces with 404, and bad input with 400 naming the field, in its own shape', async () => {
    const unknownPool = await pm('GET', '/pools/nope/status')
    expect(unknownPool.status).toBe(404)
    expect(unknownPool.body).toMatchObject({ success: false, code: 'EMU_ERR_NOT_FOUND', error: expect.stringMatching(/pool/) })
    const unknownPod = await pm('GET', '/workspaces/no-such-pod')
    expect(unknownPod.status).toBe(404)
    expect(unknownPod.body.success).toBe(false)
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/pools', { name: 'x', capacity: 0 }, 'capacity'],
      ['POST', '/pools', { name: 'x', size: 5, capacity: 2 }, 'size'],
      ['POST', '/pools', { name: 'bad name' }, 'name'],
      ['POST', '/pools', { name: 'x', domain: 'not a domain' }, 'domain'],
      ['GET', '/pools/p/workspace', undefined, 'workspaceId'],
      ['PATCH', '/pools/default-pool', {}, 'body'],
    ]
    for (const [method, path, body, field] of cases) {
      const res = await pm(method, path, body)
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400)
      expect(res.body).toMatchObject({ success: false, code: 'EMU_ERR_VALIDATION' })
      expect(res.body.field, `${method} ${path} ${JSON.stringify(body)}: ${res.body.error}`).toMatch(new RegExp(`^${field}`))
    }
    const noRoute = await pm('GET', '/nothing-here')
    expect([noRoute.status, noRoute.body.success, noRoute.body.code]).toEqual([404, false, 'EMU_ERR_NOT_FOUND'])
    const wrongMethod = await pm('PUT', '/pools/default-pool/status')
    expect([wrongMethod.status, wrongMethod.body.success, wrongMethod.body.code]).toEqual([405, false, 'EMU_ERR_METHOD_NOT_ALLOWED'])
    const badEscape = await pm('GET', '/workspaces/%E0%A4%A')
    expect([badEscape.status, badEscape.body.success, badEscape.body.field]).toEqual([400, false, 'path'])
    const ws = (await pm('GET', '/pools/p/workspace?workspaceId=w')).body.workspace
    const badRepo = await pm('POST', `/workspaces/${ws.id}/update`, { repositories: ['owner/repo', 'not a repo'] })
    expect([badRepo.status, badRepo.body.field]).toEqual([400, 'repositories[1]'])
    expect((await pm('POST', `/workspaces/${ws.id}/update`, { repos: [] })).status).toBe(400)
  })
})
