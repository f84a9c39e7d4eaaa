import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Script, constants } from 'node:vm'

/**
 * Runs the bundled CLI (one CommonJS file) from V8's code cache: parsing and
 * compiling the bundle was the largest part of start-up, and Node 20 has no
 * compile cache of its own (`module.enableCompileCache` came in Node 22).
 * The first run of a command writes what V8 compiled while it started; later
 * runs of that command load it instead of compiling again (ADR 0013).
 *
 * The cache is an optimisation only: when it cannot be read or written, the
 * bundle runs as it would without one.
 */
export interface CompiledBundle {
  /** The bundle, a CommonJS file. */
  file: string
  /** What identifies the bundle's content (written at build time). V8 only checks the source's length. */
  id: string
  /** Where caches live; undefined: none is read or written. */
  dir: string | undefined
  /** Names the cache file beside the id: each command compiles different code while it starts. */
  command: string
}

/** Milliseconds after start-up that the cache is written, so it holds what starting compiled. */
const SAVE_AFTER_MS = 1000
/** Caches of other builds not written for this long are removed when one is written. */
const STALE_AFTER_MS = 24 * 3600 * 1000

/** `MOCKCLOUD_COMPILE_CACHE`: `off` for none, a directory, or (unset) one of this user's under the temp dir. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['MOCKCLOUD_COMPILE_CACHE']
  if (chosen === 'off' || chosen === '0') return undefined
  return chosen || join(tmpdir(), `mockcloud-compile-cache-${process.getuid?.() ?? 'user'}`)
}

/** The CLI's command, as a file name's part: `serve`, `worker`, ... (`other` for flags alone or anything else). */
export function commandOf(argv: string[]): string {
  const first = argv[2] ?? ''
  return /^[a-z][a-z-]{0,31}$/.test(first) ? first : 'other'
}

/** Runs the bundle as Node would run it, with the cache when there is a valid one, and writes one when there is not. */
export function runCompiled(bundle: CompiledBundle): void {
  const module = { exports: {} }
  const run = compile(bundle).runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void
  run(module.exports, createRequire(bundle.file), module, bundle.file, dirname(bundle.file))
}

/** The bundle compiled, from the cache if it is valid. Its own function, so the cache's buffer is garbage once it returns. */
function compile(bundle: CompiledBundle): Script {
  // NOTE: Latin-1 (the bundle is ASCII): Node hands V8 a string this large from outside its heap, and V8 compiles it in place.
  const source = readFileSync(bundle.file, 'latin1')
  const cacheFile = bundle.dir === undefined ? undefined : join(bundle.dir, cacheName(bundle))
  const cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile)
  const script = new Script(source, { filename: bundle.file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) saveLater(script, cacheFile, bundle)
  return script
}

function cacheName(bundle: CompiledBundle): string {
  // NOTE: V8 refuses a cache made under other flags; a name per set of flags keeps two sets from overwriting each other's.
  const flags = process.execArgv.length ? `-${createHash('sha256').update(process.execArgv.join('\0')).digest('hex').slice(0, 8)}` : ''
  return `${bundle.id}-${process.version}-${process.arch}${flags}-${bundle.command}.bin`
}

/** The file, if this user owns it and no one else may write it (code from a shared temp dir is run); otherwise undefined. */
function readOwnFile(file: string): Buffer | undefined {
  try {
    const dir = statSync(dirname(file))
    const uid = process.getuid?.()
    if (uid !== undefined && (dir.uid !== uid || (dir.mode & 0o022) !== 0)) return undefined
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** Writes the cache once, a moment after start-up, or at exit if the command ends sooner. */
function saveLater(script: Script, cacheFile: string, bundle: CompiledBundle): void {
  let saved = false
  const save = () => {
    if (saved) return
    saved = true
    process.off('exit', save)
    try {
      mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 })
      // NOTE: written aside, then renamed: processes starting at the same time never read half a file.
      const aside = `${cacheFile}.${process.pid}.tmp`
      writeFileSync(aside, script.createCachedData(), { mode: 0o600 })
      renameSync(aside, cacheFile)
      removeStale(dirname(cacheFile), bundle.id)
    } catch {
      // NOTE: a cache is an optimisation: a read-only or full disk only means the next start compiles again.
    }
  }
  setTimeout(save, SAVE_AFTER_MS).unref()
  process.once('exit', save)
}

function removeStale(dir: string, id: string): void {
  const now = Date.now()
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${id}-`)) continue
    const path = join(dir, name)
    if (now - statSync(path).mtimeMs > STALE_AFTER_MS) unlinkSync(path)
  }
}
