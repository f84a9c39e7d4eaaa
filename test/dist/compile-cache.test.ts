import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

/**
 * The built binary runs the bundled CLI from V8's code cache (ADR 0013).
 * What shows from outside: the cache file a command writes, and whether a
 * later run writes it again (it does when it could not use it).
 */
const run = promisify(execFile)
const ROOT = new URL('../../', import.meta.url).pathname
let out: string
let cache: string

beforeAll(async () => {
  // NOTE: inside the checkout, so the bundle finds its external packages in node_modules.
  out = mkdtempSync(join(ROOT, 'node_modules', '.cache-compile-cache-test-'))
  await run(process.execPath, [join(ROOT, 'scripts/bundle-cli.mjs'), out], { cwd: ROOT })
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))
beforeEach(() => {
  cache = join(out, `cache-${Math.random().toString(36).slice(2)}`)
})

const cli = (args: string[], env: Record<string, string> = { MOCKCLOUD_COMPILE_CACHE: cache }, cwd = out) =>
  run(process.execPath, [join(out, 'main.js'), ...args], { cwd, env: { ...process.env, ...env } })
const files = () => readdirSync(cache).sort()
// NOTE: a hash, not the bytes: a failed comparison of two 2 MB buffers makes a diff that takes minutes.
const written = (name: string) => {
  const bytes = readFileSync(join(cache, name))
  return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), mtimeMs: statSync(join(cache, name)).mtimeMs }
}

describe('the built CLI and its compile cache', () => {
  it('a command writes a cache of its own the first time, and the next run uses it without writing it again', async () => {
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(files()).toEqual([expect.stringMatching(/^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+-other\.bin$/)])
    await cli(['serve', '--help'])
    expect(files()).toHaveLength(2)
    const serve = files().find((f) => f.endsWith('-serve.bin'))!
    const first = written(serve)
    expect(first.length).toBeGreaterThan(10_000)

    expect((await cli(['serve', '--help'])).stdout).toContain('Usage: mockcloud serve')
    expect(written(serve)).toEqual(first)
  })

  it('a cache V8 refuses (damaged, or made by another build of the same length) is written again, and the command still runs', async () => {
    await cli(['--version'])
    const [name] = files()
    const damaged = Buffer.alloc(written(name!).length, 7)
    writeFileSync(join(cache, name!), damaged)
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(written(name!).sha256).not.toBe(createHash('sha256').update(damaged).digest('hex'))
  })

  it('a cache in a directory others may write to is never read: it is written again', async () => {
    await cli(['--version'])
    const [name] = files()
    const before = written(name!)
    chmodSync(cache, 0o777)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await cli(['--version'])
    expect(written(name!).mtimeMs).toBeGreaterThan(before.mtimeMs)
  })

  it('MOCKCLOUD_COMPILE_CACHE=off reads and writes none; unset, the cache is under the temp dir', async () => {
    // NOTE: run in the test's directory, with TMPDIR there too: a cache anywhere it could go would show in it.
    mkdirSync(cache)
    expect((await cli(['--version'], { MOCKCLOUD_COMPILE_CACHE: 'off', TMPDIR: cache }, cache)).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    expect(readdirSync(cache)).toEqual([])
    await cli(['--version'], { MOCKCLOUD_COMPILE_CACHE: '', TMPDIR: cache }, cache)
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^mockcloud-compile-cache-/)])
  })
})
