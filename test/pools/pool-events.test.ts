import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testApp, type TestApp } from '../helpers/app.js'
import { listen, openSse, openWs, upgradeRefusal } from '../helpers/streams.js'

/** Seed 004's "WebSocket support: real-time pod status updates": a pool's own event stream, SSE and WebSocket. */
describe('pool manager: a pool’s live pod status', () => {
  let t: TestApp
  let base: string
  const cleanups: Array<() => void> = []
  beforeEach(async () => {
    t = await testApp({ seed: 'pool-events' })
    base = await listen(t)
  })
  afterEach(async () => {
    for (const c of cleanups.splice(0)) c()
    await t.close()
  })
  const pm = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => t.call(method, `/pool-manager${path}`, body, headers)

  it('streams each pod change of the pool as server-sent events, the workspace after it, and nothing of other pools', async () => {
    await pm('POST', '/pools', { name: 'live', size: 1 })
    await pm('POST', '/pools', { name: 'other', size: 1 })
    const sse = await openSse(`${base}/pool-manager/pools/live/events?after=0`)
    cleanups.push(sse.close)
    expect([sse.status, sse.contentType]).toEqual([200, 'text/event-stream'])
    const next = async () => {
      const e = await sse.next()
      return { event: e.event, id: Number(e.id), ...JSON.parse(e.data!) }
    }
    const created = await next()
    expect(created).toMatchObject({ event: 'created', type: 'created', to_status: 'provisioning', workspace: { poolName: 'live', usage_status: 'provisioning', claimedBy: null } })
    expect(created.id).toBe(created.seq)
    await t.advance(3_000)
    expect(await next()).toMatchObject({ type: 'changed', from_status: 'provisioning', to_status: 'free', workspace: { id: created.workspace.id, usage_status: 'free' } })
    await pm('GET', '/pools/live/workspace?workspaceId=w1')
    const claimed = await next()
    expect(claimed).toMatchObject({ operation: 'claim', to_status: 'used', workspace: { id: created.workspace.id, claimedBy: 'w1' } })
    // NOTE: the claim took the only spare, so the pool provisions the next one.
    expect(await next()).toMatchObject({ type: 'created', workspace: { usage_status: 'provisioning' } })
  })

  it('sends the same on a WebSocket, and replays from a number', async () => {
    const pod = (await pm('GET', '/pools/ws-pool/workspace?workspaceId=w1')).body.workspace
    const ws = await openWs(`${base.replace('http', 'ws')}/pool-manager/pools/ws-pool/events/ws?after=0`)
    cleanups.push(ws.close)
    const seen: any[] = []
    // NOTE: the pool's 3 pods, the claim of one (still provisioning), and the spare made to replace it, in commit order.
    for (let i = 0; i < 5; i++) seen.push(await ws.next())
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b))
    expect(seen.filter((e) => e.type === 'created')).toHaveLength(4)
    expect(seen.find((e) => e.type === 'changed')).toMatchObject({ operation: 'claim', workspace: { id: pod.id, claimedBy: 'w1', usage_status: 'provisioning' } })
    await t.advance(3_000)
    const ready = await ws.next()
    expect(ready).toMatchObject({ type: 'changed', to_status: expect.stringMatching(/^(free|used)$/) })
    expect(ready.seq).toBeGreaterThan(seen[4].seq)
  })

  it('needs the pool’s key and a known pool before it opens', async () => {
    await pm('POST', '/pools', { name: 'locked', apiKey: 'k', size: 0 })
    const none = await openSse(`${base}/pool-manager/pools/locked/events`)
    cleanups.push(none.close)
    expect(none.status).toBe(401)
    expect(JSON.parse(await none.body())).toMatchObject({ success: false, code: 'EMU_ERR_UNAUTHORIZED' })
    const keyed = await openSse(`${base}/pool-manager/pools/locked/events`, { authorization: 'Bearer k' })
    cleanups.push(keyed.close)
    expect(keyed.status).toBe(200)
    expect((await upgradeRefusal(`${base}/pool-manager/pools/locked/events/ws`, { 'x-api-key': 'wrong' })).status).toBe(403)
    const unknown = await upgradeRefusal(`${base}/pool-manager/pools/nope/events/ws`)
    expect([unknown.status, unknown.body.success]).toEqual([404, false])
    const badAfter = await openSse(`${base}/pool-manager/pools/locked/events?after=x`, { authorization: 'Bearer k' })
    cleanups.push(badAfter.close)
    expect([badAfter.status, JSON.parse(await badAfter.body()).field]).toEqual([400, 'after'])
  })

  it("follows the pool's settings, ends when the pool is deleted, and never shows another pool of the same name", async () => {
    await pm('POST', '/pools', { name: 'x', size: 1 })
    const sse = await openSse(`${base}/pool-manager/pools/x/events?after=0`)
    cleanups.push(sse.close)
    const next = async () => JSON.parse((await sse.next()).data!)
    const first = await next()
    expect(first.workspace.url).toMatch(/\/pods\//)
    await pm('PATCH', '/pools/x', { domain: 'pods.example.com' })
    await t.advance(3_000)
    expect((await next()).workspace).toMatchObject({ usage_status: 'free', url: 'https://x-1.pods.example.com' })
    await pm('DELETE', '/pools/x')
    await t.advance(3_000)
    const rest: any[] = []
    for (;;) {
      try {
        rest.push(await next())
      } catch (err) {
        expect(String(err)).toMatch(/ended/)
        break
      }
    }
    expect(rest.at(-1)).toMatchObject({ type: 'deleted', operation: 'delete', pool: { name: 'x' } })
    expect(rest.slice(0, -1).every((e) => e.workspace.poolName === 'x')).toBe(true)
    // A new pool of the name, with a key: a stream replayed from the start shows its pods only, and it needs the key.
    await pm('POST', '/pools', { name: 'x', apiKey: 'secret', size: 1 })
    const again = await openSse(`${base}/pool-manager/pools/x/events?after=0`, { authorization: 'Bearer secret' })
    cleanups.push(again.close)
    const replayed = JSON.parse((await again.next()).data!)
    expect(replayed).toMatchObject({ type: 'created', workspace: { poolName: 'x' } })
    expect(replayed.workspace.id).not.toBe(first.workspace.id)
  })

  it('keeps no watch for a request that never became a stream: a plain GET on the WebSocket route, a refused one', async () => {
    const listeners = () => (t.app.mockcloud.engine.bus as unknown as { emitter: { listenerCount(e: string): number } }).emitter.listenerCount('event')
    await pm('POST', '/pools', { name: 'quiet', size: 0 })
    const before = listeners()
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${base}/pool-manager/pools/quiet/events/ws`)).status).toBe(404)
      expect((await fetch(`${base}/_mockcloud/events/ws`)).status).toBe(404)
    }
    expect((await upgradeRefusal(`${base}/pool-manager/pools/nope/events/ws`)).status).toBe(404)
    expect(listeners()).toBe(before)
  })
})

