import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

/**
 * The start-up and memory benches run the built CLI (package.json's `bin`),
 * as users run it after `npm ci` (which builds dist through `prepare`). This
 * makes sure it is there and not older than the sources: `BENCH_BUILD=auto`
 * (default) builds when a file of src/ is newer than it, `always` builds
 * every time, `never` only checks that it exists. Returns its path.
 * `BENCH_CLI=<path>` runs that file instead (e.g. `dist/cli/main.js`, the
 * unbundled build), built or not.
 */
export function ensureDist(root: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env['BENCH_CLI']
  if (chosen) {
    const path = resolve(root, chosen)
    if (!existsSync(path)) throw new Error(`BENCH_CLI: ${path} does not exist`)
    log(`running ${path} (BENCH_CLI), without checking it is up to date`)
    return path
  }
  const bin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> }).bin?.['mockcloud']
  if (!bin) throw new Error('package.json has no bin.mockcloud')
  const main = join(root, bin)
  const mode = env['BENCH_BUILD'] || 'auto'
  if (!['auto', 'always', 'never'].includes(mode)) throw new Error(`BENCH_BUILD must be auto, always or never, got '${mode}'`)
  if (mode === 'never') {
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build (or unset BENCH_BUILD=never)`)
    return main
  }
  const stale = mode === 'always' || !existsSync(main) ? 'requested' : newerSource(join(root, 'src'), statSync(main).mtimeMs)
  if (stale) {
    log(`building dist (npm run build): ${stale === 'requested' ? (existsSync(main) ? 'BENCH_BUILD=always' : 'no dist yet') : `${stale} is newer than dist`}`)
    const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
    if (r.status !== 0) throw new Error(`npm run build failed (${r.status ?? r.signal})`)
  }
  return main
}

/** The first source file (tests aside) modified after `since`, or undefined. */
function newerSource(dir: string, since: number): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const found = newerSource(path, since)
      if (found) return found
    } else if (/\.ts$/.test(entry.name) && !/\.(test|contract)\.ts$/.test(entry.name) && statSync(path).mtimeMs > since) {
      return path
    }
  }
  return undefined
}
