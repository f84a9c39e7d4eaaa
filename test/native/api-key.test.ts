import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import { buildApp } from '../../src/server/app.js'
import { freshDb } from '../helpers/store.js'

let app: FastifyInstance | undefined
afterEach(() => app?.close())

async function lockedApp(apiKey: string): Promise<FastifyInstance> {
  const db = freshDb()
  const built = await buildApp({ clock: new ManualClock(), seed: 'k', db: db.location, apiKey, controlKey: '' })
  built.addHook('onClose', () => db.drop())
  return built
}

describe('the native API key (MOCKCLOUD_API_KEY)', () => {
  it('answers 401 in the native error shape without the key, and writes nothing', async () => {
    app = await lockedApp('s3cret')
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }, { 'x-api-key': 's3cre' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' }, headers })
      expect(res.statusCode, JSON.stringify(headers)).toBe(401)
      expect(res.json()).toEqual({ error: { status: 401, code: 'EMU_ERR_UNAUTHORIZED', message: expect.stringContaining('the native API needs its key'), field: null } })
    }
    const list = await app.inject({ method: 'GET', url: '/api/v1/environments', headers: { authorization: 'Bearer s3cret' } })
    expect(list.json().items).toEqual([])
  })

  it('accepts it as a bearer token or in X-Api-Key, and leaves /health and the control face open', async () => {
    app = await lockedApp('s3cret')
    const created = await app.inject({ method: 'POST', url: '/api/v1/environments', payload: { name: 'e' }, headers: { authorization: 'Bearer s3cret' } })
    expect(created.statusCode).toBe(201)
    const got = await app.inject({ method: 'GET', url: `/api/v1/environments/${created.json().id}`, headers: { 'x-api-key': 's3cret' } })
    expect(got.json().name).toBe('e')
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/_mockcloud/clock' })).statusCode).toBe(200)
  })

  it('locks nothing when the key is empty', async () => {
    app = await lockedApp('')
    expect((await app.inject({ method: 'GET', url: '/api/v1/vms' })).statusCode).toBe(200)
  })
})
