import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChildServer } from './child-server.js'
import { ensureDist } from './dist.js'
import { freePort } from './free-port.js'
import { writeJson } from './write-json.js'
import { rssKiB } from './rss.js'
import { fmt, spread, table, type Spread } from './stats.js'

/**
 * `npm run bench:startup`: how long `mockcloud serve --db :memory:` (the
 * compiled CLI) takes from spawn to its first 200 on GET /health, and its
 * resident memory idle a second later, against a bare Fastify server with one
 * /health route started the same way (`bench/bare-health.mjs`), alternating
 * starts of the two. Reports medians, ranges and ratios; writes
 * bench/results/startup.json. Exits 0 when an aim is missed: it is a report.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS = join(ROOT, 'bench', 'results', 'startup.json')
const log = (line: string) => process.stderr.write(`[bench:startup] ${line}\n`)

/** The aims of issue 10, for mockcloud itself (absolute). */
const AIM_READY_MS = 300
const AIM_RSS_MB = 120

const STARTS = positiveInt('BENCH_STARTS', 5)
const IDLE_MS = positiveInt('BENCH_IDLE_MS', 1000)
const POLL_MS = 5
/** Node flags for mockcloud's process only, e.g. `--optimize-for-size` (BENCH_NODE_FLAGS, split on spaces). */
const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] || '').split(' ').filter(Boolean)

const children = new Set<ChildServer>()
process.once('exit', () => children.forEach((c) => c.killNow()))
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

interface Start {
  readyMs: number
  rssMB: number
}

interface Subject {
  label: string
  args: (port: number) => string[]
  starts: Start[]
}

/** One start: spawn, poll /health every 5 ms, wait IDLE_MS, read VmRSS, stop. */
async function startOnce(s: Subject): Promise<Start> {
  const port = await freePort()
  const started = performance.now()
  const child = ChildServer.start(s.label, s.args(port), port, ROOT, { tsx: false })
  children.add(child)
  try {
    await child.ready(30_000, POLL_MS)
    const readyMs = performance.now() - started
    await sleep(IDLE_MS)
    const kib = await rssKiB(child.pid)
    if (kib === null) throw new Error(`no VmRSS for ${s.label} (pid ${child.pid}): /proc is needed (Linux)`)
    return { readyMs, rssMB: kib / 1024 }
  } finally {
    await child.stop()
    children.delete(child)
  }
}

async function main(): Promise<void> {
  const cli = ensureDist(ROOT, log)
  const bare: Subject = { label: 'bare Fastify', args: (port) => [join(ROOT, 'bench', 'bare-health.mjs'), '--port', String(port)], starts: [] }
  const mock: Subject = { label: 'mockcloud', args: (port) => [...NODE_FLAGS, cli, 'serve', '--db', ':memory:', '--port', String(port)], starts: [] }
  // NOTE: the first fetch of this process loads its HTTP client; do it before anything is timed.
  await fetch('http://127.0.0.1:9/').catch(() => undefined)
  log(`${STARTS} starts each, alternating (ABBA), ${IDLE_MS} ms idle before reading RSS`)
  for (let i = 0; i < STARTS; i++) {
    for (const s of i % 2 ? [mock, bare] : [bare, mock]) {
      const r = await startOnce(s)
      s.starts.push(r)
      log(`  ${s.label.padEnd(12)} ready in ${r.readyMs.toFixed(0)} ms, ${r.rssMB.toFixed(1)} MB RSS idle`)
    }
  }

  const sum = (s: Subject) => ({ readyMs: spread(s.starts.map((x) => x.readyMs)), rssMB: spread(s.starts.map((x) => x.rssMB)) })
  const b = sum(bare)
  const m = sum(mock)
  // NOTE: a ratio per pair of neighbouring starts, so load that drifts during the run hits both.
  const pairs = (f: (x: Start) => number) => spread(mock.starts.map((x, i) => f(x) / f(bare.starts[i]!)))
  const ratio = { readyMs: pairs((x) => x.readyMs), rssMB: pairs((x) => x.rssMB) }
  const row = (label: string, x: { readyMs: Spread; rssMB: Spread }, d = [0, 1]) => [label, fmt(x.readyMs, d[0]), fmt(x.rssMB, d[1])]
  process.stdout.write(
    `\n${table(
      ['start-up, median (range)', 'to first 200 on /health, ms', 'RSS idle, MB'],
      [
        row('bare Fastify, one route', b),
        row('mockcloud serve --db :memory:', m),
        row('ratio mockcloud / bare', ratio, [2, 2]),
        ['aim for mockcloud', `< ${AIM_READY_MS}`, `< ${AIM_RSS_MB}`],
        ['result', m.readyMs.median < AIM_READY_MS ? 'met' : 'MISSED', m.rssMB.median < AIM_RSS_MB ? 'met' : 'MISSED'],
      ],
    )}\n\n`,
  )
  await writeJson(RESULTS, {
    date: new Date().toISOString(),
    node: process.version,
    config: { starts: STARTS, idleMs: IDLE_MS, pollMs: POLL_MS, nodeFlags: NODE_FLAGS, cli },
    bare: b,
    mockcloud: m,
    ratio,
    aims: { readyMs: AIM_READY_MS, rssMB: AIM_RSS_MB },
  })
  log(`results written to ${RESULTS}`)
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got '${raw}'`)
  return n
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exitCode = 1
})
