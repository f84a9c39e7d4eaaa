import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChildServer } from './child-server.js'
import { compare } from './compare.js'
import { readConfig } from './config.js'
import { ensureDist } from './dist.js'
import { writeFixtures } from './fixtures.js'
import { freePort } from './free-port.js'
import { requestJson } from './http.js'
import { operations } from './operations.js'
import { createEnvironment, createVms, vmBody, waitBuilt, type IdOnly } from './populate.js'
import { formatReport, row, writeResults, type Results, type Row } from './report.js'
import { rssKiB } from './rss.js'

/**
 * `npm run bench`: mockcloud's native API (the built CLI; see dist.ts for
 * BENCH_BUILD and BENCH_CLI) against bare Fastify routes answering the same
 * JSON, both in child processes, measured in one run.
 * Prints a table and writes bench/results/latest.json. Exits 0 even when a
 * target is missed (it is a report); exits 1 only when the bench itself fails.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json')
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`)

// NOTE: also cleaned up on exit, so Ctrl-C mid-run leaves no server or database behind.
const children: ChildServer[] = []
let tmp: string | undefined
process.once('exit', () => {
  children.forEach((c) => c.killNow())
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

async function main(): Promise<void> {
  const cfg = readConfig()
  const dir = (tmp = await mkdtemp(join(tmpdir(), 'mockcloud-bench-')))
  try {
    const mockPort = await freePort()
    // NOTE: the built CLI, as users run it (`npx mockcloud`): through tsx, a server also holds every module's transform and source map.
    const cli = ensureDist(ROOT, log)
    // NOTE: 10,000 VMs in one project: past OpenStack's default quotas.
    const serveArgs = [cli, 'serve', '--port', String(mockPort), '--db', join(dir, 'bench.db'), '--log-level', 'warn', '--seed', 'bench', '--quota', '*=-1']
    const mock = ChildServer.start('mockcloud', serveArgs, mockPort, ROOT, { tsx: false })
    children.push(mock)
    await mock.ready()
    log(`mockcloud pid ${mock.pid} on ${mock.baseUrl}`)

    log(`populating ${cfg.vms} VMs (${cfg.populateConcurrency} at a time)`)
    const listEnv = await createEnvironment(mock.baseUrl, 'bench-list')
    const populateMs = await createVms(mock.baseUrl, listEnv, cfg.vms, cfg.populateConcurrency, (n, ms) => log(`  ${n} VMs, ${(ms / 1000).toFixed(1)} s`))
    await waitBuilt(mock.baseUrl)
    const mockAfterPopulateKiB = await rssKiB(mock.pid)

    // Capture what mockcloud answers; the bare server will answer exactly this.
    const page = await requestJson<{ items: IdOnly[]; next_cursor: string | null }>('GET', `${mock.baseUrl}/api/v1/vms`)
    const first = page.items[0]
    if (!first || page.items.length !== Math.min(100, cfg.vms)) throw new Error(`expected a page of ${Math.min(100, cfg.vms)} VMs, got ${page.items.length}`)
    const vm = await requestJson<unknown>('GET', `${mock.baseUrl}/api/v1/vms/${first.id}`)
    const sampleEnv = await createEnvironment(mock.baseUrl, 'bench-create-sample')
    const created = await requestJson<unknown>('POST', `${mock.baseUrl}/api/v1/vms`, vmBody(sampleEnv, 'bench-create'), [202])
    await waitBuilt(mock.baseUrl)
    const fixturesPath = join(dir, 'fixtures.json')
    await writeFixtures(fixturesPath, { vm, page, created })

    const barePort = await freePort()
    const bare = ChildServer.start('bare server', ['bench/bare-server.ts', String(barePort), fixturesPath], barePort, ROOT)
    children.push(bare)
    await bare.ready()
    const bareAfterStartKiB = await rssKiB(bare.pid)
    log(`bare server pid ${bare.pid} on ${bare.baseUrl}`)

    const rows: Row[] = []
    for (const op of operations({ mockBase: mock.baseUrl, bareBase: bare.baseUrl, vmId: first.id, sampleEnvId: sampleEnv, listVms: cfg.vms })) {
      const c = await compare(op, { ...cfg, log })
      rows.push(row(op.name, op.target, c.mock, c.bare))
    }

    const results: Results = {
      date: new Date().toISOString(),
      node: process.version,
      config: cfg,
      populate: { vms: cfg.vms, seconds: populateMs / 1000, perSecond: cfg.vms / (populateMs / 1000) },
      rows,
      memory: {
        mockAfterPopulateKiB,
        bareAfterStartKiB,
        ratio: mockAfterPopulateKiB && bareAfterStartKiB ? mockAfterPopulateKiB / bareAfterStartKiB : null,
        mockAtEndKiB: await rssKiB(mock.pid),
        bareAtEndKiB: await rssKiB(bare.pid),
      },
    }
    process.stdout.write(`\n${formatReport(results)}\n`)
    await writeResults(RESULTS, results)
    log(`results written to ${RESULTS}`)
  } finally {
    await Promise.all(children.map((c) => c.stop()))
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
