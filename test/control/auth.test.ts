import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { T0 } from '../helpers/app.js'
import { freshDb } from '../helpers/store.js'
import { openSse, openWs, upgradeRefusal } from './support.js'

const KEY = 's3cret-control-key'
let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

async function lockedApp(controlKey?: string): Promise<FastifyInstance> {
  const db = freshDb()
  const a = await buildApp({ clock: new ManualClock(T0), seed: 'auth', profile: 'fast', db: db.location, controlKey })
  a.addHook('onClose', () => db.drop())
  return a
}

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await app!.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) })
  return { status: res.statusCode, body: res.body, json: () => res.json() }
}

const UNAUTHORIZED = { status: 401, code: 'EMU_ERR_UNAUTHORIZED', field: null }

describe('a control key', () => {
  const guarded: Array<[method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown]> = [
    ['GET', '/_mockcloud/faults'],
    ['POST', '/_mockcloud/faults', { kind: 'vm', operation: 'create', effect: { stuck: true } }],
    ['DELETE', '/_mockcloud/faults'],
    ['DELETE', '/_mockcloud/faults/1'],
    ['POST', '/_mockcloud/reset', {}],
    ['GET', '/_mockcloud/clock'],
    ['POST', '/_mockcloud/clock/advance', { ms: 1_000 }],
    ['POST', '/_mockcloud/clock', { time_scale: 1 }],
    ['GET', '/_mockcloud/snapshot'],
    ['POST', '/_mockcloud/snapshot', {}],
    ['GET', '/_mockcloud/calls'],
    ['DELETE', '/_mockcloud/calls'],
    ['GET', '/_mockcloud/events'],
    ['GET', '/_mockcloud/no-such-route'],
    ['GET', '/metrics'],
  ]

  it('locks every control route and /metrics: 401 without it or with a wrong one, before anything runs', async () => {
    app = await lockedApp(KEY)
    const env = await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' } })
    expect(env.statusCode).toBe(201)
    for (const [method, url, body] of guarded) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { 'x-mockcloud-control-key': `${KEY}x` }, { authorization: KEY }, { authorization: `Basic ${KEY}` }] as Array<Record<string, string>>) {
        const res = await call(method, url, headers, body)
        expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401)
        expect(res.json().error).toMatchObject(UNAUTHORIZED)
        expect(res.json().error.message).toMatch(/Authorization: Bearer <key>/)
      }
    }
    // Nothing ran: the reset did not reset, the clock did not move.
    expect((await app.inject({ method: 'GET', url: `/api/v1/environments/${env.json().id}` })).statusCode).toBe(200)
    expect(app.mockcloud.clock.now()).toBe(T0)
  })

  it('opens with Authorization: Bearer or X-Mockcloud-Control-Key', async () => {
    app = await lockedApp(KEY)
    for (const headers of [{ authorization: `Bearer ${KEY}` }, { 'x-mockcloud-control-key': KEY }, { 'X-Mockcloud-Control-Key': KEY }] as Array<Record<string, string>>) {
      expect((await call('GET', '/_mockcloud/faults', headers)).json()).toEqual({ items: [] })
      expect((await call('POST', '/_mockcloud/clock/advance', headers, { ms: 1_000 })).status).toBe(200)
      const metrics = await call('GET', '/metrics', headers)
      expect(metrics.status).toBe(200)
      expect(metrics.body).toContain('mockcloud_resources{')
    }
    expect(app.mockcloud.clock.now()).toBe(T0 + 3_000)
  })

  it('leaves the native API, /health and the docs open', async () => {
    app = await lockedApp(KEY)
    expect((await call('GET', '/api/v1/vms')).status).toBe(200)
    expect((await call('GET', '/health')).status).toBe(200)
    expect((await call('GET', '/openapi.json')).status).toBe(200)
  })

  it('locks the event streams, SSE and WebSocket, too', async () => {
    app = await lockedApp(KEY)
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const refused = await openSse(`${base}/_mockcloud/events`)
    expect(refused.status).toBe(401)
    expect(JSON.parse(await refused.body()).error).toMatchObject(UNAUTHORIZED)
    const ws = `${base.replace(/^http/, 'ws')}/_mockcloud/events/ws`
    const upgrade = await upgradeRefusal(ws)
    expect([upgrade.status, upgrade.body.error.code]).toEqual([401, 'EMU_ERR_UNAUTHORIZED'])

    const sse = await openSse(`${base}/_mockcloud/events`, { authorization: `Bearer ${KEY}` })
    const socket = await openWs(ws, { 'x-mockcloud-control-key': KEY })
    try {
      expect(sse.status).toBe(200)
      await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' } })
      expect(JSON.parse((await sse.next()).data!)).toMatchObject({ kind: 'environment', name: 'e' })
      expect(await socket.next()).toMatchObject({ kind: 'environment', name: 'e' })
    } finally {
      sse.close()
      socket.close()
    }
  })

  it('comes from MOCKCLOUD_CONTROL_KEY when not given', async () => {
    process.env['MOCKCLOUD_CONTROL_KEY'] = KEY
    try {
      app = await lockedApp()
    } finally {
      delete process.env['MOCKCLOUD_CONTROL_KEY']
    }
    expect((await call('GET', '/_mockcloud/clock')).status).toBe(401)
    expect((await call('GET', '/metrics')).status).toBe(401)
    expect((await call('GET', '/_mockcloud/clock', { authorization: `Bearer ${KEY}` })).status).toBe(200)
  })

  it('without a key, everything is open', async () => {
    const inherited = process.env['MOCKCLOUD_CONTROL_KEY']
    delete process.env['MOCKCLOUD_CONTROL_KEY']
    try {
      app = await lockedApp()
    } finally {
      if (inherited !== undefined) process.env['MOCKCLOUD_CONTROL_KEY'] = inherited
    }
    expect((await call('GET', '/_mockcloud/clock')).status).toBe(200)
    expect((await call('GET', '/metrics')).status).toBe(200)
  })
})
