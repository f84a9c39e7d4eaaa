import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { BenchConfig } from './config.js'
import type { Measurement } from './load.js'

/** One row of the result: an operation on both servers. */
export interface Row {
  operation: string
  mock: Measurement
  bare: Measurement
  ratio: number
  /** null where the brief sets no target; then `pass` is null too. */
  target: number | null
  pass: boolean | null
}

export interface Memory {
  /** mockcloud after populating, builds settled. */
  mockAfterPopulateKiB: number | null
  /** The bare server after start. */
  bareAfterStartKiB: number | null
  ratio: number | null
  mockAtEndKiB: number | null
  bareAtEndKiB: number | null
}

export interface Results {
  date: string
  node: string
  config: BenchConfig
  populate: { vms: number; seconds: number; perSecond: number }
  rows: Row[]
  memory: Memory
}

/** Builds a row; the ratio is what the targets are about, so compute it once here. */
export function row(operation: string, target: number | null, mock: Measurement, bare: Measurement): Row {
  const ratio = bare.reqPerSec > 0 ? mock.reqPerSec / bare.reqPerSec : 0
  return { operation, mock, bare, ratio, target, pass: target === null ? null : ratio >= target }
}

/** The human report: a fixed-width table, then memory, then what missed. */
export function formatReport(r: Results): string {
  const head = ['operation', 'mockcloud req/s', 'bare req/s', 'ratio', 'target', 'result', 'p99 mock ms', 'p99 bare ms']
  const body = r.rows.map((x) => [
    x.operation,
    x.mock.reqPerSec.toFixed(0),
    x.bare.reqPerSec.toFixed(0),
    x.ratio.toFixed(2),
    x.target === null ? '-' : `>= ${x.target.toFixed(2)}`,
    x.pass === null ? 'n/a' : x.pass ? 'PASS' : 'MISS',
    x.mock.p99Ms.toFixed(0),
    x.bare.p99Ms.toFixed(0),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), '']

  const mib = (k: number | null) => (k === null ? 'n/a' : `${(k / 1024).toFixed(1)} MiB`)
  const m = r.memory
  out.push(`RSS after populating ${r.populate.vms} VMs: mockcloud ${mib(m.mockAfterPopulateKiB)}, bare ${mib(m.bareAfterStartKiB)}, ratio ${m.ratio === null ? 'n/a' : m.ratio.toFixed(2)}`)
  out.push(`RSS at the end: mockcloud ${mib(m.mockAtEndKiB)}, bare ${mib(m.bareAtEndKiB)}`)
  out.push(`populate: ${r.populate.vms} VMs in ${r.populate.seconds.toFixed(1)} s (${r.populate.perSecond.toFixed(0)} creates/s)`)

  for (const x of r.rows) out.push(`slices req/s, ${x.operation}: mockcloud ${x.mock.slices.join(', ')}; bare ${x.bare.slices.join(', ')}`)
  for (const x of r.rows) {
    for (const [side, m2] of [['mockcloud', x.mock], ['bare', x.bare]] as const) {
      if (m2.failures > 0) out.push(`WARNING: ${x.operation} on ${side}: ${m2.failures} of ${m2.requests} requests failed (non-2xx, errors or timeouts)`)
    }
  }
  const missed = r.rows.filter((x) => x.pass === false)
  out.push(missed.length ? `MISSED targets: ${missed.map((x) => `${x.operation} (${x.ratio.toFixed(2)} < ${x.target})`).join('; ')}` : 'All targets met.')
  return out.join('\n')
}

/** Machine-readable copy for comparing runs over time. */
export async function writeResults(path: string, r: Results): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, JSON.stringify(r, null, 2) + '\n')
}
