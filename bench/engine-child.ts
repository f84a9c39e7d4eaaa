import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { buildApp } from '../src/server/app.js'
import { ManualClock } from '../src/clock/manual-clock.js'

/**
 * One measured round of `engine.ts`, run in the tree under test (copied into a
 * base revision's worktree as is, so it uses only what every revision has:
 * buildApp, a manual clock, the native and control routes). Creates VMS VMs
 * through app.inject, 16 in flight, then advances the clock until all are
 * built, and prints the process CPU (user + system) per VM of each step as one
 * JSON line. No sockets, no timers: what it measures is the engine and store.
 */
const VMS = Number(process.env['BENCH_ENGINE_VMS'] ?? 2000)
const IN_FLIGHT = 16
const DB = process.env['BENCH_ENGINE_DB'] ?? ':memory:'
/** Writes a CPU profile of one step (`create` or `build`) to this file. */
const PROFILE = process.env['BENCH_ENGINE_PROFILE']

/** Runs one step, under the profiler when it is the one asked for. */
async function step(name: 'create' | 'build', fn: () => Promise<unknown>): Promise<void> {
  if (!PROFILE?.startsWith(`${name}:`)) return void (await fn())
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  await fn()
  const { profile } = await session.post('Profiler.stop')
  writeFileSync(PROFILE.slice(name.length + 1), JSON.stringify(profile))
  session.disconnect()
}

function cpuMicros(): number {
  const u = process.cpuUsage()
  return u.user + u.system
}

/** CPU of every PostgreSQL process on this machine, in µs (clock ticks of 10 ms): its share of the work when the store is PostgreSQL. */
function postgresMicros(): number {
  let ticks = 0
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (!stat.includes('(postgres)')) continue
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // NOTE: gone meanwhile.
    }
  }
  return ticks * 10_000
}
const onPostgres = DB.startsWith('postgres')

/** No quota limits, where the revision has quotas (a fresh project stops at 10 instances). */
async function noQuotas(): Promise<unknown> {
  const quotas = (await import('../src/engine/quotas.js').catch(() => ({}))) as { parseQuotaFlags?: (flags: string[]) => unknown }
  return quotas.parseQuotaFlags?.(['*=-1'])
}

async function main(): Promise<void> {
  const app = await buildApp({
    db: DB,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
    profile: 'fast',
    seed: 'bench',
    logLevel: 'warn',
    quotaDefaults: await noQuotas(),
  } as Parameters<typeof buildApp>[0])
  const call = async (method: 'POST' | 'GET', url: string, payload?: unknown): Promise<{ id?: string }> => {
    const res = await app.inject({ method, url, payload: payload as object | undefined })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const env = await call('POST', '/api/v1/environments', { name: 'bench' })
  let next = 0
  const p0 = onPostgres ? postgresMicros() : 0
  const t0 = cpuMicros()
  await step('create', () =>
    Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < VMS) {
          next++
          await call('POST', '/api/v1/vms', { name: `vm-${next}`, environment_id: env.id })
        }
      }),
    ),
  )
  const t1 = cpuMicros()
  const p1 = onPostgres ? postgresMicros() : 0
  await step('build', () => call('POST', '/_mockcloud/clock/advance', { ms: 600_000 }))
  const t2 = cpuMicros()
  const p2 = onPostgres ? postgresMicros() : 0
  const active = (await app.inject({ method: 'GET', url: `/api/v1/vms?status=active&limit=1000&environment_id=${env.id}` })).json() as { items: unknown[] }
  await app.close()
  const server = onPostgres ? { pgCreate: (p1 - p0) / VMS, pgBuild: (p2 - p1) / VMS } : {}
  process.stdout.write(`${JSON.stringify({ create: (t1 - t0) / VMS, build: (t2 - t1) / VMS, ...server, active: active.items.length })}\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
