import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { environment, T0, testApp, type TestApp } from '../helpers/app.js'
import { freshDb, type TestDb } from '../helpers/store.js'

let testDb: TestDb
let db: string
let t: TestApp | undefined
beforeEach(() => {
  testDb = freshDb({ persistent: true })
  db = testDb.location
})
afterEach(async () => {
  await t?.close()
  t = undefined
  await testDb.drop()
})

describe('restart', () => {
  it('a build pending when the server stops completes at once on restart if its time has passed', async () => {
    t = await testApp({ db })
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.close()

    t = await testApp({ db, start: T0 + 60_000 })
    const after = await t.call('GET', `/api/v1/vms/${vm.id}`)
    expect(after.body.status).toBe('active')
    // It completed at its own due time, not at restart time.
    expect(Date.parse(after.body.updated_at)).toBeLessThan(T0 + 3_000)
  })

  it('a build not yet due on restart completes when it falls due, and the clock never runs backwards', async () => {
    t = await testApp({ db })
    const env = await environment(t)
    const { body: vm } = await t.call('POST', '/api/v1/vms', { name: 'a', environment_id: env })
    await t.advance(500)
    await t.close()

    // The new process starts with a clock behind what the store recorded: it catches up.
    t = await testApp({ db, start: T0 - 3_600_000 })
    expect(t.clock.now()).toBeGreaterThanOrEqual(T0 + 0)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('building')
    await t.advance(2_500)
    expect((await t.call('GET', `/api/v1/vms/${vm.id}`)).body.status).toBe('active')
  })

  it('keeps every acknowledged resource and never reuses an id after a restart', async () => {
    t = await testApp({ db, seed: 'same' })
    const env = await environment(t)
    const before = (await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).body
    await t.close()

    t = await testApp({ db, seed: 'same' })
    expect((await t.call('GET', `/api/v1/environments/${env}`)).status).toBe(200)
    expect((await t.call('GET', `/api/v1/volumes/${before.id}`)).status).toBe(200)
    const next = (await t.call('POST', '/api/v1/volumes', { name: 'v', size_gb: 1 })).body
    expect(next.id).not.toBe(before.id)
  })
})
