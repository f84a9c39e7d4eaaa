import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

/**
 * The built binary runs the bundled CLI from V8's code cache (ADR 0013).
 * `NODE_DEBUG=mockcloud-compile-cache` makes it say, on stderr, what it did
 * with the cache: used, refused, written, or why it did not look.
 */
const run = promisify(execFile)
const ROOT = new URL('../../', import.meta.url).pathname
const VERSION = /^\d+\.\d+\.\d+/
let out: string
let cache: string

beforeAll(async () => {
  // NOTE: inside the checkout, so the bundle finds its external packages in node_modules.
  out = mkdtempSync(join(ROOT, 'node_modules', '.cache-compile-cache-test-'))
  await run(process.execPath, [join(ROOT, 'scripts/bundle-cli.mjs'), join(out, 'bundle')], { cwd: ROOT })
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))
beforeEach(() => {
  cache = join(out, `cache-${Math.random().toString(36).slice(2)}`)
})

/** Runs the built CLI; its stdout, and what it said of its cache. */
async function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = out): Promise<{ stdout: string; said: string }> {
  const all: Record<string, string | undefined> = { ...process.env, MOCKCLOUD_COMPILE_CACHE: cache, NODE_DEBUG: 'mockcloud-compile-cache', NODE_OPTIONS: '', ...env }
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k]
  const r = await run(process.execPath, [join(out, 'bundle', 'main.js'), ...args], { cwd, env: all as NodeJS.ProcessEnv })
  return { stdout: r.stdout, said: r.stderr }
}
const files = () => readdirSync(cache).sort()

describe('the built CLI and its compile cache', () => {
  it('a command writes a cache of its own the first time, and the next run uses it without writing it again', async () => {
    const first = await cli(['--version'])
    expect(first.stdout.trim()).toMatch(VERSION)
    expect(first.said).toMatch(/none yet: .*-other\.bin/)
    expect(first.said).toMatch(/written: .*-other\.bin/)
    expect(files()).toEqual([expect.stringMatching(/^[0-9a-f]{16}-[0-9a-f]{8}-other\.bin$/)])

    expect((await cli(['serve', '--help'])).said).toMatch(/written: .*-serve\.bin/)
    expect(files()).toHaveLength(2)
    const again = await cli(['serve', '--help'])
    expect(again.stdout).toContain('Usage: mockcloud serve')
    expect(again.said).toMatch(/used .*-serve\.bin/)
    expect(again.said).not.toContain('written')
  })

  it('a long-running command writes its cache a second after it starts', async () => {
    const port = String(40_000 + Math.floor(Math.random() * 20_000))
    const child = execFile(process.execPath, [join(out, 'bundle', 'main.js'), 'serve', '--db', ':memory:', '--port', port, '--log-level', 'warn'], {
      env: { ...process.env, MOCKCLOUD_COMPILE_CACHE: cache, NODE_OPTIONS: '' },
    })
    try {
      for (let i = 0; i < 100 && !readdirSync(out).includes(cache.split('/').pop()!); i++) await new Promise((r) => setTimeout(r, 100))
      for (let i = 0; i < 50 && !files().some((f) => f.endsWith('-serve.bin')); i++) await new Promise((r) => setTimeout(r, 100))
      expect(files()).toEqual([expect.stringMatching(/-serve\.bin$/)])
      expect(child.exitCode).toBeNull()
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a damaged cache is refused before V8 sees it (a bad byte in its middle would crash V8), and written again', async () => {
    await cli(['--version'])
    const [name] = files()
    const path = join(cache, name!)
    const bytes = readFileSync(path)
    bytes.fill(0xa5, bytes.length >> 1, (bytes.length >> 1) + 32)
    writeFileSync(path, bytes)
    const r = await cli(['--version'])
    expect(r.stdout.trim()).toMatch(VERSION)
    expect(r.said).toMatch(/damaged: /)
    expect(r.said).toMatch(/written: /)
    expect((await cli(['--version'])).said).toMatch(/used /)
  })

  it('V8 flags, NODE_OPTIONS included, name a cache of their own instead of overwriting one V8 would refuse', async () => {
    await cli(['--version'])
    const r = await cli(['--version'], { NODE_OPTIONS: '--max-old-space-size=3000' })
    expect(r.said).toMatch(/none yet: /)
    expect(files()).toHaveLength(2)
    expect((await cli(['--version'])).said).toMatch(/used /)
    expect((await cli(['--version'], { NODE_OPTIONS: '--max-old-space-size=3000' })).said).toMatch(/used /)
  })

  it('a directory others may write to, or a link, is neither read nor written', async () => {
    mkdirSync(cache, { mode: 0o700 })
    chmodSync(cache, 0o777)
    const open = await cli(['--version'])
    expect(open.stdout.trim()).toMatch(VERSION)
    expect(open.said).toMatch(/not using .*: writable by others/)
    expect(files()).toEqual([])

    chmodSync(cache, 0o700)
    const link = `${cache}-link`
    symlinkSync(cache, link)
    const linked = await cli(['--version'], { MOCKCLOUD_COMPILE_CACHE: link })
    expect(linked.said).toMatch(/not using .*: not a directory/)
    expect(files()).toEqual([])
  })

  it('removes only its own files, and only those of other builds not used for a day', async () => {
    mkdirSync(cache, { mode: 0o700 })
    const old = new Date(Date.now() - 3 * 24 * 3600 * 1000)
    const keep = ['notes.txt', 'package.json']
    const stale = ['0123456789abcdef-0badcafe-serve.bin', '0123456789abcdef-0badcafe-serve.bin.00112233aabbccdd.tmp']
    for (const name of [...keep, ...stale]) {
      writeFileSync(join(cache, name), 'x')
      utimesSync(join(cache, name), old, old)
    }
    const recent = '0123456789abcdef-0badcafe-worker.bin'
    writeFileSync(join(cache, recent), 'x')
    await cli(['--version'])
    expect(files().filter((f) => !f.endsWith('-other.bin'))).toEqual([recent, ...keep].sort())
    expect(files().filter((f) => f.endsWith('-other.bin'))).toHaveLength(1)
  })

  it('MOCKCLOUD_COMPILE_CACHE=off reads and writes none; unset, the cache is under the temp dir', async () => {
    // NOTE: run in the test's directory, with TMPDIR there too: a cache anywhere it could go would show in it.
    mkdirSync(cache)
    expect((await cli(['--version'], { MOCKCLOUD_COMPILE_CACHE: 'off', TMPDIR: cache }, cache)).stdout.trim()).toMatch(VERSION)
    expect(readdirSync(cache)).toEqual([])
    await cli(['--version'], { MOCKCLOUD_COMPILE_CACHE: undefined, TMPDIR: cache }, cache)
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^mockcloud-compile-cache-/)])
  })

  it('runs the bundle in strict mode, as the ES modules it was built from', () => {
    expect(readFileSync(join(out, 'bundle', 'mockcloud.cjs'), 'latin1')).toMatch(/^\(function \(exports, require, module, __filename, __dirname\) \{'use strict';/)
  })
})
