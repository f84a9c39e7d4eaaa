import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useCli } from '../helpers/cli.js'
import { freePort, until } from '../helpers/process.js'
import { freshDb, TEST_STORE, type TestDb } from '../helpers/store.js'

/**
 * A `serve --no-worker` whose workers are gone says so in /health and in its
 * log. Runs in the postgres project, when MOCKCLOUD_TEST_REDIS_URL is set.
 */
const REDIS = process.env['MOCKCLOUD_TEST_REDIS_URL']
const run = TEST_STORE === 'postgres' && REDIS ? describe : describe.skip

interface Health {
  status: string
  workers?: { alive: number; last_seen: string | null }
  message?: string
}

run('a shared deployment without a live worker', () => {
  const { mockcloud } = useCli()
  let db: TestDb
  beforeEach(() => {
    db = freshDb()
  })
  afterEach(async () => {
    await db.drop()
  })

  it('/health turns degraded and the serve warns once, until a worker is back', async () => {
    const common = ['--db', db.location, '--queue', REDIS!]
    const port = await freePort()
    // NOTE: real time, so the build is not due yet when the create commits (a serve applies what is due by then itself).
    const serve = mockcloud(['serve', '--port', String(port), '--no-worker', '--set', 'vm.create.latency=1s', ...common])
    const first = mockcloud(['worker', ...common])
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`)
      return { code: res.status, body: (await res.json()) as Health }
    }
    const healthWhen = (ok: (h: Health) => boolean, what: string) =>
      until(async () => {
        const h = await health()
        return ok(h.body) ? h : undefined
      }, what, 900)

    const live = await healthWhen((h) => h.workers?.alive === 1, 'the worker to be seen')
    expect(live).toMatchObject({ code: 200, body: { status: 'ok', store: 'postgres' } })
    expect(live.body.message).toBeUndefined()

    first.kill('SIGKILL')
    await first.exited
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { id: string }
    const env = await post('environments', { name: 'e' })
    const vm = await post('vms', { name: 'web', environment_id: env.id })

    // NOTE: 200 still: the server answers; what is wrong is elsewhere.
    const degraded = await healthWhen((h) => h.status === 'degraded', 'health to say no worker is alive')
    expect(degraded.code).toBe(200)
    expect(degraded.body.workers).toEqual({ alive: 0, last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(degraded.body.message).toMatch(/^no worker has been seen for \d+ s: scheduled transitions are not being applied; start `mockcloud worker`/)
    const warnings = () => serve.output().split('\n').filter((l) => l.includes('transitions are due and no worker has been seen'))
    await until(async () => (warnings().length ? true : undefined), 'the serve to warn', 900)
    expect(JSON.parse(warnings()[0]!)).toMatchObject({ level: 40 })
    await new Promise((r) => setTimeout(r, 6_000)) // the serve checks again, and says nothing new

    mockcloud(['worker', ...common])
    await until(async () => {
      const { status } = (await (await fetch(`http://127.0.0.1:${port}/api/v1/vms/${vm.id}`)).json()) as { status: string }
      return status === 'active' ? true : undefined
    }, 'the new worker to build the VM', 900)
    await until(async () => (serve.output().includes('worker(s) alive again') ? true : undefined), 'the serve to say a worker is back', 300)
    expect((await health()).body).toMatchObject({ status: 'ok', workers: { alive: 1 } })
    expect(warnings()).toHaveLength(1) // once per outage, though the serve checked every few seconds
  }, 120_000)
})
