import { spawnSync } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { ChildServer } from './child-server.js'
import { ensureDist } from './dist.js'
import { freePort } from './free-port.js'
import { requestJson } from './http.js'
import { createEnvironment, createVms, waitBuilt, type IdOnly } from './populate.js'
import { rssKiB } from './rss.js'
import { writeGeneratedSnapshot, VMS_PER_ENVIRONMENT, type EnvironmentSlot, type SnapshotJson } from './snapshot-gen.js'
import { table } from './stats.js'
import { writeJson } from './write-json.js'

/**
 * `npm run bench:memory`: resident memory of `mockcloud serve` (the compiled
 * CLI, on a SQLite file) holding 10,000 and 100,000 resources, after every
 * one of them was read through the API (list pages, then each by id, so
 * caches fill as they would in use), against the same server idle and empty.
 *
 * The resources are VMs, each with its port (so N resources = N/2 VMs),
 * copied from one VM the server built, into a generated snapshot loaded with
 * `mockcloud snapshot import --db` before the measured server starts
 * (BENCH_MEMORY_LOAD=import), or POSTed to /_mockcloud/snapshot of the
 * running server (BENCH_MEMORY_LOAD=post: then the import's own peak stays
 * in the figures). Writes bench/results/memory.json.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS = join(ROOT, 'bench', 'results', 'memory.json')
const log = (line: string) => process.stderr.write(`[bench:memory] ${line}\n`)

/** The aim of issue 10: RSS at 100,000 resources. */
const AIM_MB_AT_100K = 300

const SIZES = (process.env['BENCH_MEMORY_RESOURCES'] || '10000,100000').split(',').map((s) => {
  const n = Number(s.trim())
  if (!Number.isInteger(n) || n < 2) throw new Error(`BENCH_MEMORY_RESOURCES: '${s}' is not a whole number of resources (2 or more)`)
  return n
})
const LOAD = process.env['BENCH_MEMORY_LOAD'] || 'import'
if (LOAD !== 'import' && LOAD !== 'post') throw new Error(`BENCH_MEMORY_LOAD must be import or post, got '${LOAD}'`)
const CONCURRENCY = Number(process.env['BENCH_MEMORY_CONCURRENCY'] || 16)
const IDLE_MS = Number(process.env['BENCH_IDLE_MS'] || 1000)
/** Node flags for mockcloud's process only, e.g. `--heap-growing-percent=20` (BENCH_NODE_FLAGS, split on spaces). */
const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] || '').split(' ').filter(Boolean)

const children = new Set<ChildServer>()
let tmp: string | undefined
process.once('exit', () => {
  children.forEach((c) => c.killNow())
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

interface SizeResult {
  resources: number
  vms: number
  snapshotMB: number
  dbMB: number
  /** The same server, started on an empty database, idle. */
  emptyMB: number
  /** Started on the loaded database (or just after the POST), idle, nothing read yet. */
  loadedIdleMB: number
  /** After every VM was read, idle. */
  afterReadsMB: number
  readSeconds: number
  ratioToEmpty: number
  /** (afterReads - empty) per 1,000 resources. */
  mbPer1000: number
}

async function start(label: string, cli: string, db: string): Promise<ChildServer> {
  const port = await freePort()
  const s = ChildServer.start(label, [...NODE_FLAGS, cli, 'serve', '--db', db, '--port', String(port), '--log-level', 'warn', '--seed', 'bench', '--profile', 'fast'], port, ROOT, { tsx: false })
  children.add(s)
  await s.ready(120_000, 20)
  return s
}

async function stop(s: ChildServer): Promise<void> {
  await s.stop(10_000)
  children.delete(s)
}

async function idleRssMB(s: ChildServer): Promise<number> {
  await sleep(IDLE_MS)
  const kib = await rssKiB(s.pid)
  if (kib === null) throw new Error(`no VmRSS for ${s.label} (pid ${s.pid}): /proc is needed (Linux)`)
  return kib / 1024
}

/** Every VM through the API: its list, page by page (1,000 a page), then each by id, `CONCURRENCY` at a time. */
async function readAll(base: string): Promise<number> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: IdOnly[]; next_cursor: string | null } = await requestJson('GET', `${base}/api/v1/vms?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    for (const vm of page.items) ids.push(vm.id)
    cursor = page.next_cursor
  } while (cursor)
  await requestJson('GET', `${base}/api/v1/environments?limit=1000`)
  let next = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < ids.length; i = next++) await requestJson('GET', `${base}/api/v1/vms/${ids[i]}`)
    }),
  )
  return ids.length
}

async function measure(cli: string, resources: number, dir: string): Promise<SizeResult> {
  const vms = Math.floor(resources / 2)
  const db = join(dir, `mem-${resources}.db`)
  const snapshotPath = join(dir, `mem-${resources}.json`)

  // The template: the server as it starts on an empty database, then one VM it builds.
  const first = await start('mockcloud (empty)', cli, db)
  const emptyMB = await idleRssMB(first)
  const environments: EnvironmentSlot[] = []
  for (let i = 0; i < Math.max(1, Math.ceil(vms / VMS_PER_ENVIRONMENT)); i++) {
    const envId = await createEnvironment(first.baseUrl, `mem-${i}`)
    const env = await requestJson<{ id: string; cidr: string; subnet_id: string }>('GET', `${first.baseUrl}/api/v1/environments/${envId}`)
    environments.push({ networkId: env.id, subnetId: env.subnet_id, prefix: env.cidr.split('.').slice(0, 2).join('.') })
  }
  await createVms(first.baseUrl, environments[0]!.networkId, 1, 1)
  await waitBuilt(first.baseUrl)
  const template = await requestJson<SnapshotJson>('GET', `${first.baseUrl}/_mockcloud/snapshot`)
  const generating = performance.now()
  // NOTE: the template's own VM and port count towards the total.
  await writeGeneratedSnapshot(snapshotPath, template, environments, vms - 1)
  const snapshotMB = statSync(snapshotPath).size / 1048576
  log(`  snapshot of ${resources} resources written (${snapshotMB.toFixed(0)} MB, ${((performance.now() - generating) / 1000).toFixed(1)} s)`)

  let server: ChildServer
  if (LOAD === 'post') {
    const started = performance.now()
    const res = await fetch(`${first.baseUrl}/_mockcloud/snapshot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: await readFile(snapshotPath) })
    if (!res.ok) throw new Error(`POST /_mockcloud/snapshot: ${res.status} ${(await res.text()).slice(0, 500)}`)
    await res.arrayBuffer()
    log(`  POSTed to /_mockcloud/snapshot in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    server = first
  } else {
    await stop(first)
    const started = performance.now()
    const r = spawnSync(process.execPath, [cli, 'snapshot', 'import', '--db', db, snapshotPath], { cwd: ROOT, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`mockcloud snapshot import failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`)
    log(`  imported with mockcloud snapshot import --db in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    server = await start('mockcloud (loaded)', cli, db)
  }
  await rm(snapshotPath)
  const loadedIdleMB = await idleRssMB(server)
  const reading = performance.now()
  const read = await readAll(server.baseUrl)
  const readSeconds = (performance.now() - reading) / 1000
  if (read !== vms) throw new Error(`listed ${read} VMs, expected ${vms}`)
  const afterReadsMB = await idleRssMB(server)
  await stop(server)
  const dbMB = statSync(db).size / 1048576
  return { resources, vms, snapshotMB, dbMB, emptyMB, loadedIdleMB, afterReadsMB, readSeconds, ratioToEmpty: afterReadsMB / emptyMB, mbPer1000: ((afterReadsMB - emptyMB) / resources) * 1000 }
}

async function main(): Promise<void> {
  const cli = ensureDist(ROOT, log)
  const dir = (tmp = mkdtempSync(join(tmpdir(), 'mockcloud-bench-memory-')))

  const barePort = await freePort()
  const bare = ChildServer.start('bare Fastify', [join(ROOT, 'bench', 'bare-health.mjs'), '--port', String(barePort)], barePort, ROOT, { tsx: false })
  children.add(bare)
  await bare.ready(30_000, 20)
  const bareMB = await idleRssMB(bare)
  await stop(bare)

  const results: SizeResult[] = []
  for (const n of SIZES) {
    log(`${n} resources (${Math.floor(n / 2)} VMs with their ports), load by ${LOAD}${NODE_FLAGS.length ? `, node ${NODE_FLAGS.join(' ')}` : ''}`)
    const r = await measure(cli, n, dir)
    log(`  empty ${r.emptyMB.toFixed(0)} MB, loaded idle ${r.loadedIdleMB.toFixed(0)} MB, after reading ${r.vms} VMs in ${r.readSeconds.toFixed(1)} s: ${r.afterReadsMB.toFixed(0)} MB`)
    results.push(r)
  }

  const mb = (x: number) => x.toFixed(0)
  process.stdout.write(
    `\n${table(
      ['resources (VMs + ports)', 'db MB', 'empty idle MB', 'loaded idle MB', 'after reads MB', 'ratio to empty', 'MB per 1k', 'aim'],
      results.map((r) => [
        `${r.resources} (${r.vms} + ${r.vms})`,
        mb(r.dbMB),
        mb(r.emptyMB),
        mb(r.loadedIdleMB),
        mb(r.afterReadsMB),
        r.ratioToEmpty.toFixed(2),
        r.mbPer1000.toFixed(2),
        r.resources === 100_000 ? `< ${AIM_MB_AT_100K}: ${r.afterReadsMB < AIM_MB_AT_100K ? 'met' : 'MISSED'}` : '-',
      ]),
    )}\nbare Fastify (one route) idle: ${mb(bareMB)} MB\n\n`,
  )
  await writeJson(RESULTS, { date: new Date().toISOString(), node: process.version, config: { sizes: SIZES, load: LOAD, concurrency: CONCURRENCY, idleMs: IDLE_MS, nodeFlags: NODE_FLAGS }, bareMB, results })
  log(`results written to ${RESULTS}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:memory failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
