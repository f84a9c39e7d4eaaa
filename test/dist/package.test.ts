import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freePort, health, start, until, type Child } from '../helpers/process.js'
import { readmeBlocks } from './readme-blocks.js'

/**
 * What a user gets: the package as `npm pack` builds it, installed into an
 * empty project, and the README's examples run as printed (the TypeScript
 * ones compiled there against the installed package, the shell ones against
 * `npm start` in this checkout).
 */

const run = promisify(execFile)
const ROOT = new URL('../../', import.meta.url).pathname
const README = readmeBlocks(join(ROOT, 'README.md'))
const TS_EXAMPLES = ['sdk-embedded', 'sdk-http', 'testing-kit', 'test-double', 'seed-pools']
const SH_EXAMPLES = ['walkthrough', 'attach', 'flags', 'control', 'pools', 'shared', 'run-examples']
/** The ports the README prints; each run takes free ones instead, so a mockcloud already running (`npm start`) is no obstacle. */
const README_PORTS = [4600, 4601, 4602, 4603, 4610, 4611] as const
const ports = new Map<number, number>()
const children: Child[] = []
let work: string
let project: string

/** A README block as printed, but for its port numbers: those are this run's free ports. */
function block(name: string): string {
  const b = README.get(name)
  if (!b) throw new Error(`README has no readme-test block ${name}`)
  return b.code.replace(/\b(4600|4601|4602|4603|4610|4611)\b/g, (p) => String(port(Number(p))))
}

function port(readmePort: number): number {
  const p = ports.get(readmePort)
  if (p === undefined) throw new Error(`no free port taken for README port ${readmePort}`)
  return p
}

function spawnIn(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Child {
  // NOTE: detached, so killing the group also ends what `npm start` and `&` started.
  const child = start(command, args, { cwd, env: { ...process.env, ...env }, detached: true })
  children.push(child)
  return child
}

function killGroup(c: Child): void {
  try {
    process.kill(-c.pid!, 'SIGKILL')
  } catch {
    // already gone
  }
}

beforeAll(async () => {
  for (const p of README_PORTS) ports.set(p, await freePort())
  work = mkdtempSync(join(tmpdir(), 'mockcloud-dist-'))
  // NOTE: prepare builds dist/, which the shell examples' `npm start` runs too.
  const { stdout } = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, maxBuffer: 16 << 20 })
  const tgz = join(work, stdout.trim().split('\n').pop()!)
  project = join(work, 'app')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  // NOTE: --ignore-scripts skips compiling better-sqlite3 from source (minutes on two cores); the checkout's binary is the same version for the same Node.
  await run('npm', ['install', tgz, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project, maxBuffer: 16 << 20 })
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }).version
  expect(version(project)).toBe(version(ROOT))
  cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(project, 'node_modules/better-sqlite3/build'), { recursive: true })
}, 240_000)

afterEach(() => {
  for (const c of children.splice(0)) killGroup(c)
})
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

describe('the npm pack tarball in an empty project', () => {
  it('serves with npx mockcloud serve', async () => {
    const port = await freePort()
    spawnIn(project, 'npx', ['mockcloud', 'serve', '--port', String(port), '--db', ':memory:'])
    expect(await health(port)).toMatchObject({ status: 'ok', store: 'sqlite' })
  }, 60_000)

  it('type-checks and runs the README examples against mockcloud/sdk and mockcloud/testing', async () => {
    mkdirSync(join(project, 'test'))
    for (const name of TS_EXAMPLES) writeFileSync(join(project, 'test', `${name}.test.ts`), block(name))
    // NOTE: the whole public surface, so a missing export or a broken declaration fails here rather than in a user's project.
    writeFileSync(
      join(project, 'surface.mts'),
      [
        "import { createInfraClient, EmbeddedInfraClient, HttpInfraClient, InfraClientConfigError, ManualClock, MockcloudError, NotFoundError, withResilience, type InfraClient, type Instance } from 'mockcloud/sdk'",
        "import { startMockCloud, connectMockCloud, ControlClient, InfraClientDouble, PoolManagerClientDouble, type MockCloud, type FaultRule, type Snapshot } from 'mockcloud/testing'",
        "import { EmbeddedPoolManagerClient, HttpPoolManagerClient, ForbiddenError, withMetrics, type PoolManagerClient, type Pod } from 'mockcloud/sdk'",
        "import { buildApp, VERSION } from 'mockcloud'",
        'const client: InfraClient = withResilience(createInfraClient({ useMock: true, embedded: { clock: new ManualClock() } }), { maxRetries: 2 })',
        "const rule: FaultRule = { kind: 'vm', operation: 'create', effect: { stuck: true }, rate: 0.5 }",
        "const kit: (o: { clock: 'manual' }) => Promise<MockCloud> = startMockCloud",
        "const ids = (xs: Instance[]): string[] => xs.map((x) => x.id)",
        "const snap = (s: Snapshot): number => s.state.resources.length",
        "const pools: PoolManagerClient = withMetrics(new PoolManagerClientDouble({ fallback: new EmbeddedPoolManagerClient({ clock: new ManualClock() }) }))",
        "const podIds = (xs: Pod[]): string[] => xs.map((x) => x.usage_status === 'used' ? x.id : x.poolName)",
        'export const surface = [client, rule, kit, ids, snap, pools, podIds, HttpPoolManagerClient, ForbiddenError, connectMockCloud, ControlClient, InfraClientDouble, EmbeddedInfraClient, HttpInfraClient, InfraClientConfigError, MockcloudError, NotFoundError, buildApp, VERSION]',
      ].join('\n'),
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
        include: ['surface.mts', 'test'],
      }),
    )
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout: string }) => ({ stdout: e.stdout, failed: true }))
    expect(tsc.stdout).toBe('')

    spawnIn(project, 'npx', ['mockcloud', 'serve', '--port', String(port(4600)), '--db', ':memory:', '--time-scale', '0.01'])
    await health(port(4600))
    expect(readdirSync(join(project, 'test')).filter((f) => f.endsWith('.test.ts'))).toHaveLength(TS_EXAMPLES.length)
    // NOTE: the README's own commands (install tsx, run the tests through it), with the run's port.
    // Node's test runner reports TAP when its output is not a terminal.
    const env = { ...process.env, MOCKCLOUD_CONTROL_KEY: '', USE_MOCK_INFRA: '' }
    const sh = `set -euo pipefail\n${block('run-examples')}`
    const tests = await run('bash', ['-c', sh], { cwd: project, env, maxBuffer: 16 << 20 }).catch((e: { stdout: string; stderr: string }) => ({ stdout: `${e.stdout}${e.stderr}` }))
    expect(tests.stdout).toMatch(/^# pass 6$/m)
    expect(tests.stdout).toMatch(/^# fail 0$/m)
  }, 180_000)
})

describe('the test kit under jest', () => {
  it('runs in jest (ESM mode) and leaves nothing open, so jest exits by itself', async () => {
    mkdirSync(join(project, 'jest'))
    writeFileSync(
      join(project, 'jest', 'kit.test.js'),
      [
        "import { InfraClientDouble, startMockCloud } from 'mockcloud/testing'",
        'let mc',
        "beforeAll(async () => { mc = await startMockCloud({ clock: 'manual', profile: 'realistic', seed: '42' }) })",
        'afterAll(() => mc.stop())',
        "test('a realistic build takes no real time', async () => {",
        "  const net = await mc.client.createNetwork({ name: 'n' })",
        "  const vm = await mc.client.createInstance({ name: 'web-1', networkId: net.id })",
        '  await mc.clock.advance(60_000)',
        "  expect((await mc.client.getInstance(vm.id)).status).toBe('active')",
        '})',
        "test('the double records calls', async () => {",
        '  const infra = new InfraClientDouble()',
        "  await infra.createNetwork({ name: 'n' })",
        '  expect(infra.calls.createNetwork).toHaveLength(1)',
        '  await infra.close()',
        '})',
      ].join('\n'),
    )
    // NOTE: .js is ESM in this type: module project. No --forceExit: a handle the kit left open would keep jest running past this test's timeout.
    const jest = [join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--rootDir', 'jest', '--config', JSON.stringify({ transform: {} })]
    const res = await run(process.execPath, ['--experimental-vm-modules', '--no-warnings', ...jest], { cwd: project, env: { ...process.env, MOCKCLOUD_CONTROL_KEY: '' } }).catch(
      (e: { stdout: string; stderr: string; code: number }) => e,
    )
    expect(res.stderr, `${res.stdout}${res.stderr}`).toMatch(/Tests:\s+2 passed, 2 total/)
  }, 60_000)
})

describe('the README shell examples, as printed', () => {
  it('lists every example this file runs', () => {
    expect([...README.keys()].sort()).toEqual([...TS_EXAMPLES, ...SH_EXAMPLES].sort())
  })

  it('walks through the native API with npm start, then attaches once the VM is active', async () => {
    // NOTE: the README's port and real time (its "about 2 s" is waited for below); no state left in the checkout.
    const server = spawnIn(ROOT, 'npm', ['start'], { MOCKCLOUD_DB: ':memory:', MOCKCLOUD_LOG_LEVEL: 'warn', MOCKCLOUD_PORT: String(port(4600)) })
    await health(port(4600)).catch((e: Error) => {
      throw new Error(`${e.message}\n${server.output()}`)
    })
    const wait = `until [ "$(curl -sf localhost:${port(4600)}/api/v1/vms/$VM | jq -r .status)" = active ] && [ "$(curl -sf localhost:${port(4600)}/api/v1/volumes/$VOL | jq -r .status)" = available ]; do sleep 0.05; done`
    const script = ['set -euo pipefail', block('walkthrough'), wait, block('attach')].join('\n')
    const { stdout } = await run('bash', ['-c', script], { cwd: ROOT })
    const lines = stdout.trim().split('\n')
    expect(lines).toEqual(['"building"', '1', '"web.example.com"', '"creating"', '[]', '"ok"', '"attaching"', expect.stringMatching(/^"41\.100\.\d+\.\d+"$/), expect.stringContaining('already')])
  }, 60_000)

  it('starts with the flags example', async () => {
    spawnIn(ROOT, 'bash', ['-c', `${block('flags')}\nwait`])
    expect(await health(port(4601))).toMatchObject({ status: 'ok', profile: 'realistic', seed: '42' })
  }, 60_000)

  it('drives the control face and the snapshot and reset commands', async () => {
    const sh = spawnIn(ROOT, 'bash', ['-c', `set -euo pipefail\n${block('control')}`])
    expect(await sh.exited, sh.output()).toBe(0)
    const lines = sh.output().trim().split('\n')
    expect(lines).toEqual(['1', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), '"error"', '{"phase":"networking"}', '["building","networking"]', '2', expect.stringMatching(/^wrote \d+ resources and 0 pending transitions to \/tmp\/state\.json$/), expect.stringMatching(new RegExp(`^removed \\d+ resources from http://localhost:${port(4602)}$`))])
    rmSync('/tmp/state.json', { force: true })
  }, 60_000)

  it('claims, syncs and refuses workspaces through the pool manager example', async () => {
    const sh = spawnIn(ROOT, 'bash', ['-c', `set -euo pipefail\n${block('pools')}`])
    expect(await sh.exited, sh.output()).toBe(0)
    expect(sh.output().trim().split('\n')).toEqual(['["default-pool","workspace-123","provisioning"]', 'used', 'ok', '[6,5,1]', 'syncing', '["small",1]', 'true', 'EMU_ERR_EXHAUSTED'])
  }, 60_000)

  it.skipIf(!process.env['MOCKCLOUD_TEST_PG_URL'] || !process.env['MOCKCLOUD_TEST_REDIS_URL'])('runs the shared deployment example', async () => {
    // NOTE: the example's schema is fixed (`team`); what earlier runs left there (a VM each) would fill its instance quota.
    const sql = new pg.Client({ connectionString: process.env['MOCKCLOUD_TEST_PG_URL'] })
    await sql.connect()
    await sql.query('drop schema if exists team cascade').finally(() => sql.end())
    spawnIn(ROOT, 'bash', ['-c', `${block('shared')}\nwait`], { MOCKCLOUD_LOG_LEVEL: 'warn', MOCKCLOUD_TIME_SCALE: '0.01' })
    for (const p of [port(4610), port(4611)]) expect(await health(p)).toMatchObject({ status: 'ok', store: 'postgres' })
    // NOTE: both serves run --no-worker, so a VM that becomes active proves the workers apply transitions.
    const post = async (path: string, body: unknown) => (await fetch(`http://127.0.0.1:${port(4610)}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ id: string }>
    const env = await post('environments', { name: `readme-${Date.now()}` })
    const vm = await post('vms', { name: 'web', environment_id: env.id })
    const status = await until(async () => {
      const s = ((await (await fetch(`http://127.0.0.1:${port(4611)}/api/v1/vms/${vm.id}`)).json()) as { status: string }).status
      return s === 'building' ? undefined : s
    }, 'the VM built by a worker')
    expect(status).toBe('active')
  }, 60_000)
})
