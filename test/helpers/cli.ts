import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach } from 'vitest'
import { start, type Child } from './process.js'

export const ROOT = new URL('../../', import.meta.url).pathname
// NOTE: the child runs in a temp dir, so tsx is named by path rather than resolved from there.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href

export interface CliHarness {
  /** Runs `mockcloud ARGS` from the sources, as the bin would, in the test's temp dir. */
  mockcloud(args: string[], env?: Record<string, string>): Child
  /** The current test's temp dir (the children's working directory). */
  dir(): string
}

/**
 * Gives each test of the calling file a fresh temp dir to run `mockcloud`
 * in, and kills what it started when the test ends.
 */
export function useCli(): CliHarness {
  const children: Child[] = []
  let dir = ''
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mockcloud-cli-'))
  })
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    mockcloud(args, env = {}) {
      const child = start(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], { cwd: dir, env: { ...process.env, ...env } })
      children.push(child)
      return child
    },
    dir: () => dir,
  }
}
