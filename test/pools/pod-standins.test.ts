import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { T0, testApp, type TestApp } from '../helpers/app.js'

/** The stand-ins behind the pod URLs the pool manager hands out (issue 12, point 4), through HTTP only, on a manual clock. */
describe('pod stand-ins (/pods/{id}/)', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await testApp({ seed: 'pools' })
  })
  afterEach(() => t.close())

  /** A workspace claimed from `pool` for `workspaceId`: its id, and its URL and port mappings as paths on this server. */
  async function claim(pool = 'default-pool', workspaceId = 'w1', headers?: Record<string, string>) {
    const res = await t.call('GET', `/pool-manager/pools/${pool}/workspace?workspaceId=${workspaceId}`, undefined, headers)
    expect(res.status).toBe(200)
    const ws = res.body.workspace
    const path = (url: string) => new URL(url).pathname
    return { id: ws.id as string, url: path(ws.url), ports: Object.fromEntries(Object.entries(ws.portMappings as Record<string, string>).map(([p, url]) => [p, path(url)])) }
  }

  /** Server-sent events as goosed writes them: `data: JSON` and a blank line each. */
  function sseEvents(body: string): any[] {
    return body
      .split('\n\n')
      .filter((chunk) => chunk.trim() !== '')
      .map((chunk) => {
        expect(chunk).toMatch(/^data: /)
        return JSON.parse(chunk.slice('data: '.length))
      })
  }

  const reply = (path: string, payload: unknown, headers: Record<string, string> = { 'x-secret-key': 'any' }) =>
    t.app.inject({ method: 'POST', url: `${path}reply`, payload: payload as object, headers: { 'content-type': 'application/json', ...headers } })

  it('a pod is down (503) on every path while it provisions, then healthy on its URL and each mapped port', async () => {
    const pod = await claim()
    expect(pod.url).toBe(`/pods/${pod.id}/`)
    for (const path of [`${pod.url}health`, `${pod.url}anything`, `${pod.ports['3000']}healthz`, `${pod.ports['15551']}status`]) {
      const down = await t.call('GET', path)
      expect([path, down.status]).toEqual([path, 503])
      expect(down.body.error).toMatchObject({ status: 503, code: 'EMU_ERR_POD_DOWN', message: expect.stringMatching(/is still provisioning/) })
    }
    await t.advance(3_000)
    expect(await t.call('GET', `${pod.url}health`)).toEqual({ status: 200, body: { status: 'ok', pod: pod.id, port: null } })
    expect(await t.call('GET', `${pod.ports['3000']}health`)).toEqual({ status: 200, body: { status: 'ok', pod: pod.id, port: 3000 } })
    expect((await t.call('GET', `${pod.ports['15552']}healthz`)).body).toEqual({ status: 'ok', pod: pod.id, port: 15552 })
  })

  it('echoes which pod and port answered and what was asked: method, path below the prefix, query and body', async () => {
    const pod = await claim()
    await t.advance(3_000)
    const posted = await t.call('POST', `${pod.ports['3000']}api/items?x=1&tag=a`, { name: 'thing' })
    expect(posted).toEqual({
      status: 200,
      body: { method: 'POST', path: '/api/items', query: { x: '1', tag: 'a' }, pod: pod.id, podName: expect.stringMatching(/^default-pool-\d+$/), podStatus: 'used', pool: 'default-pool', port: 3000, body: { name: 'thing' } },
    })
    const root = await t.call('GET', pod.url)
    expect(root.body).toMatchObject({ method: 'GET', path: '/', query: {}, pod: pod.id, port: null, body: null })
    const text = await t.app.inject({ method: 'PUT', url: `${pod.url}notes/1`, payload: 'plain words', headers: { 'content-type': 'text/plain' } })
    expect(text.json()).toMatchObject({ method: 'PUT', path: '/notes/1', body: 'plain words', port: null })
    // NOTE: goosed's routes are the Goose port's only: /status on another port is the echo.
    expect((await t.call('GET', `${pod.ports['3000']}status`)).body).toMatchObject({ path: '/status', port: 3000 })
  })

  it('is down while its repositories sync and up again once they have', async () => {
    const pod = await claim()
    await t.advance(3_000)
    expect((await t.call('POST', `/pool-manager/workspaces/${pod.id}/update`, { repositories: ['owner/repo1'] })).body.workspace.usage_status).toBe('syncing')
    for (const path of [`${pod.url}health`, `${pod.ports['3000']}page`, `${pod.ports['15551']}status`]) {
      const down = await t.call('GET', path)
      expect([path, down.status, down.body.error.message]).toEqual([path, 503, expect.stringMatching(/is syncing its repositories/)])
    }
    await t.advance(2_000)
    expect((await t.call('GET', `${pod.url}health`)).status).toBe(200)
  })

  it('answers 404 naming an unknown pod, or a port its pool does not map; 503 while a pod is deleted, 404 once it is gone', async () => {
    const unknown = await t.call('GET', '/pods/nope/health')
    expect(unknown).toEqual({ status: 404, body: { error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message: 'pod nope not found', field: null } } })
    const pod = await claim()
    await t.advance(3_000)
    const port = await t.call('GET', `${pod.url}ports/8080/health`)
    expect(port.status).toBe(404)
    expect(port.body.error).toMatchObject({ code: 'EMU_ERR_NOT_FOUND', field: 'port', message: expect.stringMatching(/^port: 8080 is not a port of pod default-pool-\d+ \(.+\); its pool default-pool maps 15551, 15552, 3000$/) })
    expect((await t.call('DELETE', '/pool-manager/pools/default-pool')).status).toBe(200)
    expect((await t.call('GET', `${pod.url}health`)).body.error.message).toMatch(/is being deleted/)
    await t.advance(3_000)
    expect((await t.call('GET', `${pod.url}health`)).status).toBe(404)
  })

  it("answers as goosed on the Goose port: /status, and /reply streamed as server-sent events derived from the user's message", async () => {
    const pod = await claim()
    await t.advance(3_000)
    const goose = pod.ports['15551']!
    const status = await t.app.inject({ method: 'GET', url: `${goose}status` })
    expect([status.statusCode, status.headers['content-type'], status.body]).toEqual([200, 'text/plain; charset=utf-8', 'ok'])

    const userMessage = { role: 'user', created: 1, content: [{ type: 'text', text: 'please add a login page to the app' }], metadata: { userVisible: true, agentVisible: true } }
    const res = await reply(goose, { session_id: 's1', user_message: userMessage })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/event-stream')
    const events = sseEvents(res.body)
    const finish = events.at(-1)
    const messages = events.slice(0, -1)
    expect(messages.length).toBeGreaterThan(1)
    const tokens = { inputTokens: 8, outputTokens: 13, totalTokens: 21, accumulatedInputTokens: 8, accumulatedOutputTokens: 13, accumulatedTotalTokens: 21 }
    for (const e of messages) {
      expect(Object.keys(e).sort()).toEqual(['message', 'token_state', 'type'])
      expect(e).toMatchObject({ type: 'Message', token_state: tokens })
      expect(e.message).toEqual({ id: messages[0].message.id, role: 'assistant', created: (T0 + 3_000) / 1000, content: [{ type: 'text', text: expect.any(String) }], metadata: { userVisible: true, agentVisible: true } })
    }
    expect(messages[0].message.id).toMatch(/^msg_[0-9a-f]{24}$/)
    expect(messages.map((e) => e.message.content[0].text).join('')).toMatch(/^mockcloud's Goose on default-pool-\d+ heard: please add a login page to the app$/)
    expect(finish).toEqual({ type: 'Finish', reason: 'stop', token_state: tokens })
    // NOTE: the same request at the same time gets the same stream: nothing random.
    expect((await reply(goose, { session_id: 's1', user_message: userMessage })).body).toBe(res.body)
    // NOTE: older goosed took the whole conversation; the reply is to its last user message.
    const older = sseEvents((await reply(goose, { session_id: 's1', messages: [{ role: 'user', content: [{ type: 'text', text: 'first' }] }, { role: 'assistant', content: [] }, { role: 'user', content: [{ type: 'text', text: 'second' }] }] })).body)
    expect(older.slice(0, -1).map((e) => e.message.content[0].text).join('')).toMatch(/heard: second$/)
  })

  it("refuses the Goose port's routes but /status without goosed's X-Secret-Key (any value passes), and a reply with no message", async () => {
    const pod = await claim()
    await t.advance(3_000)
    const goose = pod.ports['15551']!
    const body = { session_id: 's1', user_message: { role: 'user', content: [{ type: 'text', text: 'hi' }] } }
    const refused = await reply(goose, body, {})
    expect([refused.statusCode, refused.json().error.code, refused.json().error.field]).toEqual([401, 'EMU_ERR_UNAUTHORIZED', 'X-Secret-Key'])
    expect((await t.call('GET', `${goose}sessions`)).status).toBe(401)
    expect((await t.call('GET', `${goose}sessions`, undefined, { 'x-secret-key': 'whatever' })).body).toMatchObject({ path: '/sessions', port: 15551 })
    expect((await t.call('GET', `${goose}health`)).status).toBe(200)
    const empty = await reply(goose, { session_id: 's1' })
    expect([empty.statusCode, empty.json().error.field]).toEqual([400, 'user_message'])
  })

  it("answers for a keyed pool's pods without the pool's key: the pod's URLs come with its password", async () => {
    await t.call('POST', '/pool-manager/pools', { name: 'locked', apiKey: 's3cret', size: 0 })
    const pod = await claim('locked', 'w1', { authorization: 'Bearer s3cret' })
    await t.advance(3_000)
    expect(await t.call('GET', `${pod.url}health`)).toEqual({ status: 200, body: { status: 'ok', pod: pod.id, port: null } })
  })

  it('documents its routes in the OpenAPI document, under their own tag', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body
    expect(doc.paths['/pods/{podId}/health'].get.tags).toEqual(['pod stand-ins'])
    expect(doc.paths['/pods/{podId}/ports/15551/reply'].post.requestBody.content['application/json'].schema.required).toEqual(['session_id'])
  })
})
