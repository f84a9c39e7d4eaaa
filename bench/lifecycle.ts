import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { ChildServer } from './child-server.js'
import { freePort } from './free-port.js'
import { requestJson } from './http.js'

/**
 * Lifecycle throughput: VMs created and active per second, on one SQLite
 * process, one PostgreSQL process, and 2 serve + 2 workers on PostgreSQL +
 * Redis, in one run. Builds are short (fast profile at --time-scale 0.001, so
 * ~2 ms) so the measure is mockcloud's own work: creates, transitions, events.
 * Reported as ratios to the SQLite process.
 */
const ROOT = new URL('../', import.meta.url).pathname
const N = Number(process.env['BENCH_LIFECYCLE_VMS'] ?? 1000)
const CONCURRENCY = 16
const PG_URL = process.env['MOCKCLOUD_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env['MOCKCLOUD_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'

interface Setup {
  label: string
  serve: number
  workers: number
  db: (tmp: string) => string
  queue: boolean
}

const SETUPS: Setup[] = [
  { label: '1 process, SQLite', serve: 1, workers: 0, db: (tmp) => join(tmp, 'lifecycle.db'), queue: false },
  { label: '1 process, PostgreSQL', serve: 1, workers: 0, db: () => schemaUrl('bench_lc_one'), queue: false },
  { label: '2 serve + 2 workers, PostgreSQL + Redis', serve: 2, workers: 2, db: () => schemaUrl('bench_lc_multi'), queue: true },
]

function schemaUrl(schema: string): string {
  const u = new URL(PG_URL)
  u.searchParams.set('schema', schema)
  return u.toString()
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  await client.query(`drop schema if exists ${schema} cascade`)
  await client.end()
}

async function measure(setup: Setup, tmp: string): Promise<number> {
  const db = setup.db(tmp)
  const common = ['--db', db, '--log-level', 'warn', ...(setup.queue ? ['--queue', REDIS_URL] : [])]
  const servers: ChildServer[] = []
  const workers: ChildServer[] = []
  try {
    for (let i = 0; i < setup.serve; i++) {
      const port = await freePort()
      // NOTE: every VM in one project: past OpenStack's default quotas (workers follow the serves').
      const args = ['src/cli/main.ts', 'serve', '--port', String(port), '--time-scale', '0.001', '--quota', '*=-1', ...common, ...(setup.workers ? ['--no-worker'] : [])]
      const s = ChildServer.start(`serve ${i}`, args, port, ROOT)
      servers.push(s)
      await s.ready()
    }
    for (let i = 0; i < setup.workers; i++) workers.push(ChildServer.start(`worker ${i}`, ['src/cli/main.ts', 'worker', ...common], 0, ROOT))
    const env = await requestJson<{ id: string }>('POST', `${servers[0]!.baseUrl}/api/v1/environments`, { name: 'lifecycle' })
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, c) => {
        const base = servers[c % servers.length]!.baseUrl
        while (next < N) {
          next++
          await requestJson('POST', `${base}/api/v1/vms`, { name: `vm-${next}`, environment_id: env.id })
        }
      }),
    )
    for (;;) {
      const page = await requestJson<{ items: unknown[] }>('GET', `${servers[0]!.baseUrl}/api/v1/vms?status=active&limit=1000&environment_id=${env.id}`)
      if (page.items.length >= Math.min(N, 1000)) break
      await new Promise((r) => setTimeout(r, 20))
    }
    return N / ((performance.now() - started) / 1000)
  } finally {
    await Promise.all([...servers, ...workers].map((s) => s.stop()))
  }
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'mockcloud-lifecycle-'))
  const rows: Array<[string, number]> = []
  try {
    for (const schema of ['bench_lc_one', 'bench_lc_multi']) await dropSchema(schema)
    for (const setup of SETUPS) {
      process.stdout.write(`[lifecycle] ${setup.label}: ${N} VMs...\n`)
      rows.push([setup.label, await measure(setup, tmp)])
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
    for (const schema of ['bench_lc_one', 'bench_lc_multi']) await dropSchema(schema).catch(() => undefined)
  }
  const base = rows[0]![1]
  process.stdout.write(`\nlifecycle throughput (${N} VMs created and active, ${CONCURRENCY} clients)\n`)
  for (const [label, rate] of rows) process.stdout.write(`${label.padEnd(42)} ${rate.toFixed(0).padStart(6)} VMs/s   ratio to SQLite ${(rate / base).toFixed(2)}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
