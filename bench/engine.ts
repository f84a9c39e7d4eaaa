import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fmt, spread, table } from './stats.js'

/**
 * `npm run bench:engine`: the engine's own CPU per VM (create, then build on a
 * manual clock), in this tree against a base revision of it, in alternating
 * child processes (`engine-child.ts`), reported as ratios. No sockets and no
 * timers, so it sees a 5% change that the HTTP benches' noise hides.
 *
 * BENCH_ENGINE_BASE (default HEAD): the revision to compare with; it is
 * checked out in a temporary git worktree sharing this tree's node_modules.
 * BENCH_ENGINE_ROUNDS (default 5) children each; BENCH_ENGINE_VMS per child.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BASE = process.env['BENCH_ENGINE_BASE'] || 'HEAD'
const ROUNDS = Number(process.env['BENCH_ENGINE_ROUNDS'] ?? 5)
const log = (line: string) => process.stderr.write(`[bench:engine] ${line}\n`)

interface Round {
  create: number
  build: number
}

function runChild(tree: string): Round {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'bench/engine-child.ts'], { cwd: tree, encoding: 'utf8', env: process.env })
  if (out.status !== 0) throw new Error(`engine-child in ${tree} failed:\n${out.stderr}`)
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as Round
}

/** A worktree of `rev` that runs this tree's engine-child.ts with this tree's node_modules. */
function baseTree(rev: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mockcloud-bench-base-'))
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, rev], { cwd: ROOT, stdio: 'ignore' })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  copyFileSync(join(ROOT, 'bench', 'engine-child.ts'), join(dir, 'bench', 'engine-child.ts'))
  return {
    dir,
    remove: () => {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT, stdio: 'ignore' })
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
    },
  }
}

function main(): void {
  const base = baseTree(BASE)
  const here: Round[] = []
  const there: Round[] = []
  try {
    for (let i = 0; i < ROUNDS; i++) {
      // NOTE: ABBA, so a drift in the machine's speed falls on both alike.
      const order = i % 2 ? [base.dir, ROOT] : [ROOT, base.dir]
      for (const tree of order) (tree === ROOT ? here : there).push(runChild(tree))
      log(`round ${i + 1}/${ROUNDS}: this tree ${JSON.stringify(here.at(-1))}, ${BASE} ${JSON.stringify(there.at(-1))}`)
    }
  } finally {
    base.remove()
  }
  const rows = (['create', 'build'] as const).map((step) => {
    const a = spread(here.map((r) => r[step]))
    const b = spread(there.map((r) => r[step]))
    const ratios = spread(here.map((r, i) => r[step] / there[i]![step]))
    return [step, fmt(a), fmt(b), fmt(ratios, 2)]
  })
  process.stdout.write(`\nengine CPU per VM, µs (median, range of ${ROUNDS}); ratio = this tree ÷ ${BASE}, per pair of neighbouring runs\n`)
  process.stdout.write(`${table(['step', 'this tree', BASE, 'ratio'], rows)}\n`)
}

main()
