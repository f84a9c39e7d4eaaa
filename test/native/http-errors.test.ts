import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, testApp, type TestApp } from '../helpers/app.js'

let t: TestApp
beforeEach(async () => {
  t = await testApp()
})
afterEach(() => t.close())

/** The answer is the documented error shape, with this status, and says what it is about. */
function expectShape(res: { status: number; body: any }, status: number, field: string | null, message?: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(status)
  expect(res.body).toEqual({ error: { status, code: expect.stringMatching(/^EMU_ERR_[A-Z_]+$/), message: expect.any(String), field } })
  if (message) expect(res.body.error.message).toMatch(message)
  if (field) expect(res.body.error.message.startsWith(`${field}:`)).toBe(true)
}

async function inject(method: string, url: string, payload?: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: method as 'GET', url, payload, headers })
  return { status: res.statusCode, headers: res.headers, body: res.body ? res.json() : undefined }
}

async function listen(): Promise<number> {
  await t.app.listen({ host: '127.0.0.1', port: 0 })
  return (t.app.server.address() as AddressInfo).port
}

/** Sends raw bytes and reads one HTTP response (up to its Content-Length), as Node's parser cannot be reached through inject. */
function rawExchange(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request, 'latin1'))
    let data = Buffer.alloc(0)
    const tryParse = () => {
      const text = data.toString('utf8')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return false
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      const body = text.slice(end + 4)
      if (Buffer.byteLength(body) < Number(headers['content-length'])) return false
      socket.destroy()
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) })
      return true
    }
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk])
      tryParse()
    })
    socket.on('close', () => tryParse() || reject(new Error(`connection closed after ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)))
    socket.on('error', () => undefined)
  })
}

function send(agent: http.Agent, port: number, method: string, path: string, body?: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any; reusedSocket: boolean }>((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined, reusedSocket: req.reusedSocket }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('bodies that are not JSON answer 415 saying to send JSON', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['a form (curl -d without a content type)', { 'content-type': 'application/x-www-form-urlencoded' }, /'application\/x-www-form-urlencoded' is not accepted/],
    ['plain text', { 'content-type': 'text/plain' }, /'text\/plain' is not accepted/],
    ['no content type at all', {}, /missing/],
  ]
  for (const [what, headers, message] of cases) {
    it(what, async () => {
      const res = await inject('POST', '/api/v1/environments', '{"name":"e"}', headers)
      expectShape(res, 415, 'Content-Type', message)
      expect(res.body.error.message).toMatch(/send a JSON body with Content-Type: application\/json/)
      expect((await t.call('GET', '/api/v1/environments')).body.items).toEqual([])
    })
  }
})

describe('a wrong method answers 405 with Allow; an unknown path 404; both in the error shape', () => {
  it('on the native and control faces, and a trailing slash does not change it', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/api/v1/vms', 'GET, HEAD, POST'],
      ['DELETE', '/api/v1/environments', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/volumes/some-id', 'DELETE, GET, HEAD, PATCH'],
      ['PATCH', '/api/v1/flavors/some-id', 'GET, HEAD'],
      ['GET', '/api/v1/vms/some-id/stop', 'POST'],
      ['PUT', '/_mockcloud/clock/', 'GET, HEAD, POST'],
      ['GET', '/_mockcloud/reset', 'POST'],
    ]
    for (const [method, url, allow] of cases) {
      const res = await inject(method, url)
      expectShape(res, 405, null, new RegExp(`^${method} is not allowed on ${url}; it answers ${allow}$`))
      expect(res.headers['allow'], `${method} ${url}`).toBe(allow)
    }
  })

  it('answers 404 in the error shape for paths outside any face, saying where the faces are', async () => {
    for (const url of ['/', '/nope', '/api/v1/nothing-here', '/_mockcloud/nothing-here', '/api/v2/vms', '/docs/static/no-such-file.js', '/pool-managers/x']) {
      const res = await inject('GET', url)
      expectShape(res, 404, null, /^no route GET .*; the native API is under \/api\/v1, the pool manager under \/pool-manager, its pods under \/pods and the control face under \/_mockcloud/)
      expect(res.headers['allow']).toBeUndefined()
    }
  })
})

describe("Fastify's and Node's own refusals answer in the error shape", () => {
  it('a control byte in a header: 400 naming the header, as a proper HTTP response', async () => {
    const port = await listen()
    const res = await rawExchange(port, 'GET /api/v1/vms HTTP/1.1\r\nHost: x\r\nX-Project-Id: team\x01a\r\n\r\n')
    expectShape(res, 400, 'X-Project-Id', /control byte/)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.headers['connection']).toBe('close')
  })

  it('headers larger than the server reads: 431', async () => {
    const port = await listen()
    const res = await rawExchange(port, `GET /api/v1/vms HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
    expectShape(res, 431, null, /headers are larger than the 16384 bytes/)
  })

  it('a request that is not HTTP: 400', async () => {
    const port = await listen()
    const res = await rawExchange(port, 'GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n')
    expectShape(res, 400, null, /not valid HTTP\/1\.1/)
  })

  it('ids up to the documented 128 characters reach the route; longer ones get 414', async () => {
    const id128 = 'a'.repeat(128)
    expectShape(await inject('GET', `/api/v1/environments/${id128}`), 404, null, new RegExp(`environment ${id128} not found`))
    expectShape(await inject('DELETE', `/api/v1/volumes/${id128}`), 404, null, /not found/)
    expectShape(await inject('GET', `/api/v1/environments/${'a'.repeat(129)}`), 414, null, /longer than 128 characters/)
  })

  it('a bad %-escape in the path: 400 naming the path', async () => {
    expectShape(await inject('GET', '/api/v1/environments/%ZZ'), 400, 'path', /'\/api\/v1\/environments\/%ZZ' has a bad %-escape/)
  })

  it('a __proto__ or constructor.prototype key: 400 naming the field, and nothing created', async () => {
    const env = await environment(t)
    const bodies: Array<[string, string, string]> = [
      ['/api/v1/environments', '{"name":"a","__proto__":{"admin":true}}', '__proto__'],
      ['/api/v1/environments', '{"name":"a","constructor":{"prototype":{"admin":true}}}', 'constructor'],
      ['/api/v1/vms', `{"name":"a","environment_id":"${env}","metadata":{"__proto__":{"x":"1"}}}`, 'metadata.__proto__'],
      ['/_mockcloud/faults', '{"kind":"vm","operation":"create","effect":{"__proto__":{}}}', 'effect.__proto__'],
    ]
    for (const [url, body, field] of bodies) {
      expectShape(await inject('POST', url, body, { 'content-type': 'application/json' }), 400, field, /is not allowed: a '__proto__' key/)
    }
    expect((await t.call('GET', '/api/v1/environments')).body.items).toHaveLength(1)
    expect((await t.call('GET', '/api/v1/vms')).body.items).toEqual([])
  })

  it("malformed JSON says where, in JSON.parse's words", async () => {
    expectShape(await inject('POST', '/api/v1/environments', '{"name": "a",', { 'content-type': 'application/json' }), 400, 'body', /^body: malformed JSON \(.* at position 13/)
  })

  it('a body just over 1 MiB on a kept-alive connection: 413, and the connection stays usable', async () => {
    const port = await listen()
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (let i = 0; i < 3; i++) {
        const big = await send(agent, port, 'POST', '/api/v1/environments', Buffer.alloc(1_048_576 + 1024, 'a'))
        expectShape(big, 413, 'body', /larger than the 1048576 bytes \(1 MiB\) POST \/api\/v1\/environments accepts/)
        expect(big.headers['connection']).not.toBe('close')
        const next = await send(agent, port, 'GET', '/api/v1/environments')
        expect(next.status).toBe(200)
        expect(next.reusedSocket, 'the next request goes on the same connection').toBe(true)
      }
    } finally {
      agent.destroy()
    }
  })

  it("the snapshot route's own limit (256 MiB) answers 413 the same way", async () => {
    const port = await listen()
    const res = await rawExchange(port, `POST /_mockcloud/snapshot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${256 * 1_048_576 + 1}\r\n\r\n`)
    expectShape(res, 413, 'body', /larger than the 268435456 bytes \(256 MiB\) POST \/_mockcloud\/snapshot accepts/)
  })
})

describe('a NUL character answers 400 naming the field (PostgreSQL text cannot hold one)', () => {
  it('in a body, a body key and a query, on every face', async () => {
    const env = await environment(t)
    expectShape(await t.call('POST', '/api/v1/environments', { name: 'a\u0000b' }), 400, 'name', /NUL/)
    expectShape(await t.call('POST', '/api/v1/vms', { name: 'a\u0000b', environment_id: env }), 400, 'name', /NUL/)
    expectShape(await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env, metadata: { ok: 'x', ['k\u0000']: 'v' } }), 400, 'metadata.k\u0000', /NUL/)
    expectShape(await t.call('POST', '/api/v1/security-groups', { name: 'g', rules: [{ direction: 'ingress', description: '\u0000' }] }), 400, 'rules[0].description', /NUL/)
    expectShape(await t.call('GET', '/api/v1/vms?name=a%00b'), 400, 'name', /NUL/)
    expectShape(await t.call('POST', '/_mockcloud/faults', { kind: 'vm', operation: 'create', match: { name: 'x\u0000' }, effect: { stuck: true } }), 400, 'match.name', /NUL/)
    expect((await t.call('GET', '/api/v1/environments')).body.items).toHaveLength(1)
    expect((await t.call('GET', '/api/v1/vms')).body.items).toEqual([])
    // Other control characters are text like any other.
    expect((await t.call('POST', '/api/v1/environments', { name: 'tab\there' })).status).toBe(201)
  })
})
