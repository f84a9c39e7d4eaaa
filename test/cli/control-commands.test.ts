import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testApp, environment } from '../helpers/app.js'
import { useCli } from '../helpers/cli.js'
import { freePort, health, type Child } from '../helpers/process.js'

const { mockcloud, dir } = useCli()

/** Runs a client command to its end. */
async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const p = mockcloud(args, env)
  const code = await p.exited
  return { code, out: p.output() }
}

/** `mockcloud serve ARGS` on a free port, once it answers; without the default pool, whose pods these counts leave out. */
async function serve(args: string[]): Promise<{ url: string; child: Child }> {
  const port = await freePort()
  const child = mockcloud(['serve', '--port', String(port), '--log-level', 'warn', '--no-default-pool', ...args])
  await health(port)
  return { url: `http://127.0.0.1:${port}`, child }
}

async function call<T = any>(url: string, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (key) headers['authorization'] = `Bearer ${key}`
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T }
}

/** An environment and a VM whose build is still pending. */
async function buildingVm(url: string): Promise<string> {
  const env = await call(url, 'POST', '/api/v1/environments', { name: 'e' })
  const vm = await call(url, 'POST', '/api/v1/vms', { name: 'a', environment_id: env.body.id })
  expect(vm.body.status).toBe('building')
  return vm.body.id
}

// NOTE: every test spawns several processes (each loads the sources through tsx); on two busy cores that takes a while.
const SLOW = 60_000

const oneLine = (out: string) => {
  expect(out.trim().split('\n')).toHaveLength(1)
  expect(out).not.toMatch(/\n\s+at /)
}

describe('mockcloud serve --clock manual', () => {
  it('moves time only on POST /_mockcloud/clock/advance, and a restart on the same database carries on from its last event', async () => {
    const db = join(dir(), 'state.db')
    const first = await serve(['--clock', 'manual', '--db', db])
    expect((await call(first.url, 'GET', '/health')).body.clock).toBe('manual')
    const vm = await buildingVm(first.url)
    const t0 = (await call(first.url, 'GET', '/_mockcloud/clock')).body.now_ms as number

    const advanced = await call(first.url, 'POST', '/_mockcloud/clock/advance', { ms: 60_000 })
    expect(advanced.body).toMatchObject({ mode: 'manual', now_ms: t0 + 60_000 })
    expect((await call(first.url, 'GET', `/api/v1/vms/${vm}`)).body.status).toBe('active')
    // An event one emulated minute ahead of the wall clock.
    await call(first.url, 'POST', '/api/v1/environments', { name: 'later' })
    first.child.kill('SIGTERM')
    expect(await first.child.exited).toBe(0)

    const second = await serve(['--clock', 'manual', '--db', db])
    expect((await call(second.url, 'GET', '/_mockcloud/clock')).body.now_ms).toBeGreaterThanOrEqual(t0 + 60_000)
  }, SLOW)
})

describe('mockcloud serve --control-key', () => {
  it('locks the control face and /metrics (and --api-key the native API); the client commands send the key', async () => {
    const { url } = await serve(['--db', ':memory:', '--control-key', 's3cret', '--api-key', 'api'])
    expect((await call(url, 'GET', '/_mockcloud/clock')).status).toBe(401)
    expect((await call(url, 'GET', '/metrics')).status).toBe(401)
    expect((await call(url, 'GET', '/_mockcloud/clock', undefined, 's3cret')).status).toBe(200)
    expect((await call(url, 'GET', '/api/v1/vms')).status).toBe(401)
    expect((await call(url, 'GET', '/api/v1/vms', undefined, 'api')).status).toBe(200)

    const [refused, exported, reset] = await Promise.all([
      run(['snapshot', 'export', '--url', url]),
      run(['snapshot', 'export', '--url', url, '--control-key', 's3cret']),
      run(['reset'], { MOCKCLOUD_URL: url, MOCKCLOUD_CONTROL_KEY: 's3cret' }),
    ])
    expect(refused.code).toBe(1)
    expect(refused.out).toMatch(/refused GET \/_mockcloud\/snapshot \(401\): the control face needs its key.*--control-key/)
    oneLine(refused.out)
    expect(exported.code).toBe(0)
    expect(JSON.parse(exported.out)).toMatchObject({ format: 'mockcloud-snapshot', version: 1 })
    expect(reset).toEqual({ code: 0, out: `removed 0 resources from ${url}\n` })
  }, SLOW)
})

describe('mockcloud snapshot and reset', () => {
  it('export, serve --snapshot on a fresh database (a pending build comes back), import into the running server, reset', async () => {
    const a = await serve(['--clock', 'manual', '--db', ':memory:'])
    const vm = await buildingVm(a.url)
    const exported = await run(['snapshot', 'export', '--url', a.url, '--out', 'snap.json'])
    expect(exported.out).toMatch(/^wrote \d+ resources and 1 pending transition to snap.json\n$/)
    a.child.kill('SIGTERM')

    const b = await serve(['--clock', 'manual', '--db', join(dir(), 'fresh.db'), '--snapshot', 'snap.json'])
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).body).toMatchObject({ name: 'a', status: 'building' })
    await call(b.url, 'POST', '/_mockcloud/clock/advance', { ms: 60_000 })
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).body.status).toBe('active')

    // Importing replaces the state: the build is pending again.
    const loaded = await run(['snapshot', 'import', 'snap.json', '--url', b.url])
    expect(loaded.out).toMatch(new RegExp(`^loaded \\d+ resources and 1 pending transition into ${b.url}\\n$`))
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).body.status).toBe('building')

    // One project's snapshot, then its reset by scope: the project is empty, and loading its snapshot brings it back.
    const scoped = await run(['snapshot', 'export', '--url', b.url, '--scope', 'default', '--out', 'default.json'])
    expect(scoped.out).toMatch(/^wrote \d+ resources and 1 pending transition to default.json\n$/)
    const cleared = await run(['reset', '--url', b.url, '--scope', 'default'])
    expect(cleared.out).toMatch(new RegExp(`^removed \\d+ resources of default from ${b.url}\\n$`))
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).status).toBe(404)
    expect((await run(['snapshot', 'import', 'default.json', '--url', b.url])).code).toBe(0)
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).body.status).toBe('building')
    expect((await run(['reset', '--url', b.url, '--scope', 'cluster:Dev'])).code).not.toBe(0)

    const [none, all] = [await run(['reset', '--url', b.url, '--project', 'nobody']), await run(['reset', '--url', b.url])]
    expect(none.out).toBe(`removed 0 resources of project nobody from ${b.url}\n`)
    expect(all.code).toBe(0)
    expect(Number(/^removed (\d+) resources from /.exec(all.out)?.[1])).toBeGreaterThan(1)
    expect((await call(b.url, 'GET', `/api/v1/vms/${vm}`)).status).toBe(404)
  }, SLOW)

  it('export --db and import --db work on databases with no server', async () => {
    const source = join(dir(), 'source.db')
    const t = await testApp({ db: source, start: Date.now() })
    const env = await environment(t)
    const vm = (await t.call('POST', '/api/v1/vms', { name: 'offline', environment_id: env })).body.id as string
    await t.close()

    const exported = await run(['snapshot', 'export', '--db', source, '--out', 'offline.json'])
    expect(exported.out).toMatch(/^wrote \d+ resources and 1 pending transition to offline.json\n$/)
    const imported = await run(['snapshot', 'import', 'offline.json', '--db', 'target.db'])
    expect(imported.out).toMatch(/^loaded \d+ resources and 1 pending transition into target.db\n$/)

    const target = await testApp({ db: join(dir(), 'target.db'), start: Date.now() })
    await target.advance(60_000)
    expect((await target.call('GET', `/api/v1/vms/${vm}`)).body).toMatchObject({ name: 'offline', status: 'active' })
    await target.close()
  }, SLOW)
})

describe('bad input to the new flags and commands', () => {
  it('answers with one line naming the problem and exit code 1', async () => {
    writeFileSync(join(dir(), 'notjson.json'), 'hello\nworld')
    writeFileSync(join(dir(), 'other.json'), JSON.stringify({ format: 'something-else', version: 1 }))
    const nobody = `http://127.0.0.1:${await freePort()}`
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--db', ':memory:', '--snapshot', 'notjson.json'], /^mockcloud: snapshot file notjson.json is not JSON: /],
      [['snapshot', 'import', 'other.json', '--url', nobody], /^mockcloud: other.json is not a mockcloud snapshot/],
      [['serve', '--clock', 'manual', '--queue', 'redis://127.0.0.1:1'], /^mockcloud: --clock manual cannot be used with --queue/],
      [['snapshot', 'export', '--url', nobody], new RegExp(`^mockcloud: cannot reach mockcloud at ${nobody} \\(ECONNREFUSED\\)`)],
    ]
    const runs = await Promise.all(cases.map(async ([args, re]) => ({ args, re, ...(await run(args)) })))
    for (const { args, re, code, out } of runs) {
      expect(code, args.join(' ')).toBe(1)
      expect(out, args.join(' ')).toMatch(re)
      oneLine(out)
    }
  }, SLOW)
})
