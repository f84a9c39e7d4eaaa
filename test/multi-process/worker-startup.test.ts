import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SystemClock } from '../../src/clock/system-clock.js'
import { SEEDED_FLAVORS } from '../../src/engine/kinds/flavor.kind.js'
import { startRuntime } from '../../src/server/runtime.js'
import { useCli } from '../helpers/cli.js'
import { freePort, until, type Child } from '../helpers/process.js'
import { freshDb, TEST_STORE, type TestDb } from '../helpers/store.js'

/**
 * Starting the processes of a shared deployment in any order on a fresh
 * database, as a shell's `&`, compose or systemd do. Runs in the postgres
 * project, when MOCKCLOUD_TEST_REDIS_URL is set.
 */
const REDIS = process.env['MOCKCLOUD_TEST_REDIS_URL']
const run = TEST_STORE === 'postgres' && REDIS ? describe : describe.skip

run('a shared deployment started in any order', () => {
  const { mockcloud } = useCli()
  let db: TestDb
  let common: string[]
  let serveFlags: string[]
  beforeEach(() => {
    db = freshDb()
    common = ['--db', db.location, '--queue', REDIS!]
    // NOTE: real time, so a build is not due yet when the create commits (a serve applies what is due by then itself): a worker builds it.
    serveFlags = ['--set', 'vm.create.latency=1s', ...common]
  })
  afterEach(async () => {
    await db.drop()
  })

  /** /health of a serve once it answers; patient, as four processes starting on two cores take a while. */
  const up = (port: number, nodes: Child[]) =>
    until(async () => (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<Record<string, unknown>>, `health on port ${port}`, 900).catch((e: Error) =>
      Promise.reject(new Error(`${e.message}\n${nodes.map((n) => n.output()).join('\n')}`)),
    )

  /** An environment and a VM through `port`, then the VM's status once it leaves `building`. */
  const buildVm = async (port: number) => {
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { id: string }
    const env = await post('environments', { name: 'e' })
    const vm = await post('vms', { name: 'web', environment_id: env.id })
    return until(async () => {
      const { status } = (await (await fetch(`http://127.0.0.1:${port}/api/v1/vms/${vm.id}`)).json()) as { status: string }
      return status === 'building' ? undefined : status
    }, 'the VM built by a worker', 600)
  }

  it('a worker started before any serve says it waits, once, then applies the transitions of the serve that comes', async () => {
    const worker = mockcloud(['worker', ...common])
    await until(async () => (worker.output().includes('waiting for a mockcloud serve to set up the database') ? true : undefined), 'the worker to say it waits')
    await new Promise((r) => setTimeout(r, 1_500)) // several polls
    expect(worker.exitCode).toBeNull()
    const port = await freePort()
    const serve = mockcloud(['serve', '--port', String(port), '--no-worker', ...serveFlags])
    await up(port, [serve, worker])
    expect(await buildVm(port)).toBe('active')
    expect(worker.output().match(/waiting for a mockcloud serve/g)).toHaveLength(1)
    expect(worker.output()).toContain('mockcloud worker is ready')
  }, 60_000)

  it('a worker gives up after --wait-timeout, naming the database', async () => {
    const worker = mockcloud(['worker', '--wait-timeout', '1', ...common])
    expect(await worker.exited).toBe(1)
    expect(worker.output()).toContain(`mockcloud: no mockcloud serve has set up ${db.location} in 1 s; start one with the same --db`)
  })

  it('2 serves and 2 workers started at once on a fresh schema all come up and build a VM', async () => {
    const ports = [await freePort(), await freePort()]
    const nodes = [
      mockcloud(['worker', ...common]),
      mockcloud(['serve', '--port', String(ports[0]), '--no-worker', ...serveFlags]),
      mockcloud(['serve', '--port', String(ports[1]), '--no-worker', ...serveFlags]),
      mockcloud(['worker', ...common]),
    ]
    for (const port of ports) await up(port, nodes)
    expect(await buildVm(ports[1]!)).toBe('active')
    for (const n of nodes) expect(n.exitCode, n.output()).toBeNull()
  }, 60_000)

  it('serves starting together on a fresh schema seed it once and share one clock anchor', async () => {
    const opened = await Promise.allSettled([1, 2, 3, 4].map(() => startRuntime({ db: db.location, queue: REDIS, worker: false, timeScale: 0.01 })))
    const runtimes = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
    try {
      expect(opened.filter((o) => o.status === 'rejected')).toEqual([])
      const anchors = new Set(runtimes.map((rt) => JSON.stringify((rt.clock as SystemClock).anchor())))
      expect(anchors.size).toBe(1)
      const flavors = (await runtimes[0]!.engine.store.read.countByKindAndStatus()).filter((c) => c.kind === 'compute.flavor')
      expect(flavors.reduce((n, c) => n + c.n, 0)).toBe(SEEDED_FLAVORS.length)
    } finally {
      for (const rt of runtimes) await rt.close()
    }
  })
})
