import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCli } from '../helpers/cli.js'
import { freePort, health, until } from '../helpers/process.js'

const { mockcloud, dir } = useCli()

describe('mockcloud serve', () => {
  it('rejects a bad flag with one line and exit code 1', async () => {
    const cases = [['--port', 'abc'], ['--profile', 'slow'], ['--time-scale', '-1'], ['--set', 'vm.create.latency=fast'], ['--event-retention', '0'], ['--event-retention', '1e3'], ['--no-such-flag']]
    const runs = cases.map((args) => ({ args, p: mockcloud(['serve', ...args]) }))
    for (const { args, p } of runs) {
      expect(await p.exited, args.join(' ')).toBe(1)
      expect(p.output()).toMatch(/error|mockcloud:/)
      expect(p.output()).not.toMatch(/\n\s+at /) // no stack trace
      if (args[0] === '--event-retention') expect(p.output()).toMatch(/--event-retention.*whole number of events/)
    }
  })

  it('refuses --no-worker without --queue: nothing else could apply its transitions', async () => {
    const p = mockcloud(['serve', '--no-worker', '--db', ':memory:'])
    expect(await p.exited).toBe(1)
    expect(p.output().trim()).toBe('mockcloud: --no-worker needs --queue: without one, no other process can apply the transitions this server schedules')
  })

  it("starts with seed 004's default-pool of 5 pods, once however often it restarts; --no-default-pool leaves it out", async () => {
    const db = join(dir(), 'pools.db')
    const pool = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/pool-manager/pools/default-pool`)
      return { status: res.status, body: (await res.json()) as { pool?: { total_workspaces: number; size: number } } }
    }
    for (let i = 0; i < 2; i++) {
      const port = await freePort()
      const p = mockcloud(['serve', '--port', String(port), '--db', db, '--profile', 'instant'])
      await health(port)
      expect((await pool(port)).body.pool).toMatchObject({ size: 5, total_workspaces: 5 })
      p.kill('SIGTERM')
      expect(await p.exited).toBe(0)
    }
    const port = await freePort()
    const bare = mockcloud(['serve', '--port', String(port), '--db', ':memory:', '--no-default-pool'])
    await health(port)
    expect((await pool(port)).status).toBe(404)
    bare.kill('SIGTERM')
    expect(await bare.exited).toBe(0)
  })

  it('says so when the port is in use', async () => {
    const port = await freePort()
    const first = mockcloud(['serve', '--port', String(port), '--db', ':memory:'])
    await health(port)
    const second = mockcloud(['serve', '--port', String(port), '--db', ':memory:'])
    expect(await second.exited).toBe(1)
    expect(second.output()).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`))
    first.kill('SIGTERM')
    expect(await first.exited).toBe(0)
  })

  it('refuses a second server on the same SQLite file, and lets it go on a clean stop', async () => {
    const db = join(dir(), 'state.db')
    const [p1, p2] = [await freePort(), await freePort()]
    const first = mockcloud(['serve', '--port', String(p1), '--db', db])
    await health(p1)
    const second = mockcloud(['serve', '--port', String(p2), '--db', db])
    expect(await second.exited).toBe(1)
    expect(second.output().trim()).toBe(`mockcloud: ${db} is in use by another mockcloud (pid ${first.pid}): one process per SQLite file; to share state between processes, use a postgres:// --db`)
    first.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    expect(existsSync(`${db}.lock`)).toBe(false)
    const third = mockcloud(['serve', '--port', String(p2), '--db', db])
    await health(p2)
    third.kill('SIGTERM')
    expect(await third.exited).toBe(0)
  })

  it('reads its settings from MOCKCLOUD_* variables and logs structured JSON', async () => {
    const port = await freePort()
    const p = mockcloud(['serve'], { MOCKCLOUD_PORT: String(port), MOCKCLOUD_PROFILE: 'realistic', MOCKCLOUD_SEED: 'env-seed', MOCKCLOUD_DB: ':memory:' })
    const h = await health(port)
    expect(h).toMatchObject({ status: 'ok', profile: 'realistic', seed: 'env-seed', store: 'sqlite' })
    const ready = p.output().split('\n').find((l) => l.includes('mockcloud is ready'))
    expect(JSON.parse(ready!)).toMatchObject({ level: 30, profile: 'realistic', seed: 'env-seed' })
  })

  it('takes users and keys from --user and --identity: a key acts as its user in its project', async () => {
    const file = join(dir(), 'identity.json')
    writeFileSync(file, JSON.stringify({ keys: [{ key: 'alice-key', user: 'alice', project: 'team', audience: 'native' }] }))
    const port = await freePort()
    const p = mockcloud(['serve', '--port', String(port), '--db', ':memory:', '--api-key', 'server-key', '--user', 'alice:pw:with:colons@team:admin', '--identity', file])
    await health(port)
    const api = (path: string, key: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${port}/api/v1/${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } })
    const created = await api('environments', 'alice-key', { method: 'POST', body: JSON.stringify({ name: 'e' }) })
    expect(created.status).toBe(201)
    const seen = (await (await api('environments', 'server-key', { headers: { 'x-project-id': 'team' } })).json()) as { items: Array<{ name: string }> }
    expect(seen.items.map((e) => e.name)).toEqual(['e'])
    expect((await api('environments', 'not-a-key')).status).toBe(401)
    p.kill('SIGTERM')
    expect(await p.exited).toBe(0)
  })

  it('refuses a bad --user or --identity with one line naming what is wrong', async () => {
    const file = join(dir(), 'bad-identity.json')
    writeFileSync(file, JSON.stringify({ users: [{ name: 'bob' }] }))
    const cases: Array<[string[], RegExp]> = [
      [['--user', 'nocolon'], /--user: 'nocolon' is not NAME:PASSWORD\[@PROJECT\[:ROLE\]\]/],
      [['--user', 'bob:pw@team:king'], /role: no role with id or name 'king'/],
      [['--identity', file], /--identity .*bad-identity.json: users\[0\]\.password: must be a non-empty string/],
      [['--identity', join(dir(), 'missing.json')], /cannot read --identity .*missing.json: ENOENT/],
    ]
    for (const [args, message] of cases) {
      const p = mockcloud(['serve', '--db', ':memory:', '--port', String(await freePort()), ...args])
      expect(await p.exited, args.join(' ')).toBe(1)
      expect(p.output(), args.join(' ')).toMatch(message)
      expect(p.output()).not.toMatch(/\n\s+at /)
    }
  })

  it('survives kill -9 mid-build: the restarted server completes the build', async () => {
    const port = await freePort()
    const db = join(dir(), 'state.db')
    const first = mockcloud(['serve', '--port', String(port), '--db', db, '--set', 'vm.create.latency=1h'])
    await health(port)
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string; status: string }>)
    const env = await post('/api/v1/environments', { name: 'e' })
    const vm = await post('/api/v1/vms', { name: 'a', environment_id: env.id })
    expect(vm.status).toBe('building')
    first.kill('SIGKILL')
    await first.exited

    // Time runs 100,000 times faster after the restart, so the hour-long build is due within ~40 ms.
    const second = mockcloud(['serve', '--port', String(port), '--db', db, '--time-scale', '0.00001', '--set', 'vm.create.latency=1h'])
    await health(port)
    const active = await until(async () => {
      const got = (await (await fetch(`http://127.0.0.1:${port}/api/v1/vms/${vm.id}`)).json()) as { status: string }
      return got.status === 'active' ? got : undefined
    }, 'the VM to become active')
    expect(active.status).toBe('active')
    second.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })
})
