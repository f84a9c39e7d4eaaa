import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/clock/manual-clock.js'
import type { EventRecord } from '../../src/store/records.js'
import { startRuntime } from '../../src/server/runtime.js'
import { freePort, health, start, until, type Child } from '../helpers/process.js'
import { freshDb, TEST_STORE, type TestDb } from '../helpers/store.js'

/**
 * Scale-out: several mockcloud processes sharing one PostgreSQL and one
 * Redis. Runs in the postgres project, when MOCKCLOUD_TEST_REDIS_URL is set.
 */
const REDIS = process.env['MOCKCLOUD_TEST_REDIS_URL']
const ROOT = new URL('../../', import.meta.url).pathname
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href
const run = TEST_STORE === 'postgres' && REDIS ? describe : describe.skip

run('a shared deployment on PostgreSQL + Redis', () => {
  let db: TestDb
  const children: Child[] = []
  beforeAll(() => {
    db = freshDb()
  })
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await db.drop()
  })

  it('an event made on one node reaches the subscribers of another, and settings are shared', async () => {
    const a = await startRuntime({ db: db.location, queue: REDIS, profile: 'realistic', timing: ['vm.create.latency=7s'], seed: 'a' })
    const b = await startRuntime({ db: db.location, queue: REDIS, role: 'worker' })
    try {
      expect(b.engine.timing.profile).toBe('realistic')
      expect(b.engine.timing.of('compute.server', 'create').latency).toEqual({ min: 7_000, max: 7_000 })
      const seen: EventRecord[] = []
      const off = a.engine.bus.subscribe((e) => seen.push(e))
      const env = await b.engine.create('p', 'network.network', { name: 'e', subnet: 'auto' })
      await until(async () => (seen.some((e) => e.resourceId === env.id) ? true : undefined), 'the event on the other node')
      off()
      expect(a.clock.now() - b.clock.now()).toBeLessThan(50) // one clock for the deployment
    } finally {
      await b.close()
      await a.close()
    }
  })

  it('refuses a queue with SQLite or a manual clock', async () => {
    await expect(startRuntime({ db: ':memory:', queue: REDIS })).rejects.toThrow(/needs a PostgreSQL --db/)
    await expect(startRuntime({ db: db.location, queue: REDIS, clock: new ManualClock() })).rejects.toThrow(/manual clock/)
  })

  it('2 serve + 2 worker processes: 1,000 VMs through both APIs, each active exactly once, one worker killed mid-run', async () => {
    const node = (args: string[]) => {
      const c = start(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT })
      children.push(c)
      return c
    }
    const common = ['--db', db.location, '--queue', REDIS!, '--log-level', 'warn']
    // NOTE: 1,000 VMs in one project: past OpenStack's default of 10 instances (workers follow the serves' quotas).
    const serveOnly = ['--quota', '*=-1']
    const ports = [await freePort(), await freePort()]
    // 1 ms of real time is 100 ms of emulated time: builds of ~2 s take ~20 ms.
    node(['serve', '--port', String(ports[0]), '--no-worker', '--time-scale', '0.01', '--seed', 'multi', ...common, ...serveOnly])
    await health(ports[0]!)
    node(['serve', '--port', String(ports[1]), '--no-worker', '--time-scale', '0.01', '--seed', 'multi', ...common, ...serveOnly])
    await health(ports[1]!)
    const workers = [node(['worker', ...common]), node(['worker', ...common])]

    const post = async (port: number, path: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as { id: string }
    }
    const env = await post(ports[0]!, '/api/v1/environments', { name: 'load' })
    const ids: string[] = []
    let next = 0
    const client = async (port: number) => {
      while (next < 1_000) {
        const i = next++
        ids.push((await post(port, '/api/v1/vms', { name: `vm-${i}`, environment_id: env.id })).id)
        if (ids.length === 400) workers[0]!.kill('SIGKILL') // mid-run
      }
    }
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => client(ports[i % 2]!)))
    expect(new Set(ids).size).toBe(1_000)

    const url = new URL(db.location)
    url.searchParams.delete('schema')
    const sql = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${db.schema}` })
    await sql.connect()
    try {
      const count = async (q: string) => Number((await sql.query(q)).rows[0].n)
      await until(async () => ((await count(`select count(*) n from resources where kind = 'compute.server' and status = 'active'`)) === 1_000 ? true : undefined), 'every VM to be active', 1_200)
      expect(await count(`select count(*) n from transitions`)).toBe(0)
      // Checked against the event log: each VM went through its build once, and nothing else.
      const perVm = await sql.query(`select resource_id, count(*) n from events where kind = 'compute.server' and to_status = 'active' group by resource_id having count(*) <> 1`)
      expect(perVm.rows).toEqual([])
      expect(await count(`select count(*) n from events where kind = 'compute.server' and from_status = 'building' and to_status = 'active'`)).toBe(1_000)
      // NOTE: created, three phase changes (networking, block_device_mapping, spawning), active: five each, none twice.
      const perPhase = await sql.query(`select resource_id, version, count(*) n from events where kind = 'compute.server' group by resource_id, version having count(*) <> 1`)
      expect(perPhase.rows).toEqual([])
      expect(await count(`select count(*) n from events where kind = 'compute.server'`)).toBe(5_000)
    } finally {
      await sql.end()
    }
    expect(workers[1]!.exitCode).toBeNull() // the survivor is still running
  }, 180_000)

  it('2 serve processes: 100 claims at once on a pool of capacity 5 give 5 pods, each to one workspace, and 95 refusals', async () => {
    const ports = [await freePort(), await freePort()]
    for (const port of ports) {
      const c = start(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), 'serve', '--port', String(port), '--db', db.location, '--queue', REDIS!, '--time-scale', '0.01', '--log-level', 'warn'], { cwd: ROOT })
      children.push(c)
      await health(port)
    }
    const call = async (port: number, method: string, path: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/pool-manager${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as any }
    }
    expect((await call(ports[0]!, 'POST', '/pools', { name: 'shared-5', size: 2, capacity: 5 })).status).toBe(201)
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => call(ports[i % 2]!, 'GET', `/pools/shared-5/workspace?workspaceId=w${i}`)))
    const granted = answers.filter((a) => a.status === 200).map((a) => a.body.workspace)
    const refused = answers.filter((a) => a.status !== 200)
    expect(granted).toHaveLength(5)
    expect(new Set(granted.map((w) => w.id)).size).toBe(5)
    expect(new Set(granted.map((w) => w.claimedBy)).size).toBe(5)
    expect(refused).toHaveLength(95)
    for (const r of refused) expect([r.status, r.body.success, r.body.code]).toEqual([409, false, 'EMU_ERR_EXHAUSTED'])
    // Both nodes read the same pool: 5 pods, every one claimed once.
    for (const port of ports) {
      const status = (await call(port, 'GET', '/pools/shared-5/status')).body
      expect(status.pool.total_workspaces).toBe(5)
      expect(status.workspaces.map((w: { claimed_by: string }) => w.claimed_by).sort()).toEqual(granted.map((w) => w.claimedBy).sort())
    }
  }, 60_000)
})
