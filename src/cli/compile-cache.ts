import { randomBytes } from 'node:crypto'
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, utimesSync, writeFileSync, readFileSync, type Stats } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { debuglog } from 'node:util'
import { cachedDataVersionTag } from 'node:v8'
import { Script, constants } from 'node:vm'
import { crc32 } from 'node:zlib'

/**
 * Runs the bundled CLI (one CommonJS script) from V8's code cache: parsing and
 * compiling the bundle was the largest part of start-up, and Node 20 has no
 * compile cache of its own (`module.enableCompileCache` came in Node 22).
 * The first run of a command writes what V8 compiled while it started; later
 * runs of that command load it instead of compiling again (ADR 0013).
 *
 * The cache is an optimisation only: when it cannot be read or written, the
 * bundle runs as it would without one. `NODE_DEBUG=mockcloud-compile-cache`
 * says what happened to it.
 */
export interface CompiledBundle {
  /** The bundle: a CommonJS module's wrapper function, as a script. */
  file: string
  /** What identifies the bundle's content (written at build time). V8 only checks the source's length. */
  id: string
  /** Where caches live; undefined: none is read or written. */
  dir: string | undefined
  /** Names the cache file beside the id: each command compiles different code while it starts. */
  command: string
}

const debug = debuglog('mockcloud-compile-cache')
/** Milliseconds after start-up that the cache is written, so it holds what starting compiled. */
const SAVE_AFTER_MS = 1000
const DAY_MS = 24 * 3600 * 1000
/** What the cache files (and their files being written) are named: only such files are ever removed. */
const CACHE_FILE = /^[0-9a-f]{16}-[0-9a-f]{8}-[a-z][a-z-]*\.bin(\.[0-9a-f]{16}\.tmp)?$/
/** A cache file starts with the CRC-32 of the rest: Node 20's V8 does not check a cache's body, and a damaged one crashes it. */
const HEADER_BYTES = 4

/** `MOCKCLOUD_COMPILE_CACHE`: `off` (or `0`) for none, a directory of its own, or (unset) one of this user's under the temp dir. */
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
  // NOTE: Latin-1 (the bundle's code is ASCII): Node hands V8 a string this large from outside its heap, and V8 compiles it in place.
  const source = readFileSync(bundle.file, 'latin1')
  const dir = bundle.dir !== undefined && usableDir(bundle.dir) ? bundle.dir : undefined
  const cacheFile = dir === undefined ? undefined : join(dir, cacheName(bundle))
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile)
  const script = new Script(source, { filename: bundle.file, cachedData: cached, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })
  if (cacheFile === undefined) return script
  if (cached && !script.cachedDataRejected) {
    debug('used %s', cacheFile)
    keepFresh(cacheFile)
  } else {
    if (cached) debug('refused by V8: %s', cacheFile)
    saveLater(script, cacheFile, bundle)
  }
  return script
}

function cacheName(bundle: CompiledBundle): string {
  // NOTE: V8's tag covers its version, its flags (NODE_OPTIONS' too) and the CPU's features: whatever makes it refuse a cache.
  return `${bundle.id}-${cachedDataVersionTag().toString(16).padStart(8, '0')}-${bundle.command}.bin`
}

/**
 * Whether caches may be read from and written to `dir`: a cache is code that
 * gets run, so the directory (not a link to one) must be this user's and
 * writable by no one else. Made (0700) when missing.
 */
function usableDir(dir: string): boolean {
  let stat: Stats
  try {
    stat = lstatSync(dir)
  } catch {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      stat = lstatSync(dir)
    } catch (err) {
      debug('cannot make %s: %s', dir, (err as Error).message)
      return false
    }
  }
  const problem = !stat.isDirectory() ? 'not a directory' : ownedByOthers(stat) ? 'owned by another user' : (stat.mode & 0o022) !== 0 ? 'writable by others' : undefined
  if (problem) debug('not using %s: %s', dir, problem)
  return problem === undefined
}

const ownedByOthers = (stat: Stats) => process.getuid !== undefined && stat.uid !== process.getuid()

/** The cache's body, if the file is this user's own regular file and its checksum holds; otherwise undefined. */
function readCache(file: string): Buffer | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    debug('none yet: %s', file)
    return undefined
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || ownedByOthers(stat)) {
      debug("not this user's file: %s", file)
      return undefined
    }
    // NOTE: read through the descriptor that was checked, not the path again.
    const bytes = readFileSync(fd)
    const body = bytes.subarray(HEADER_BYTES)
    if (bytes.length > HEADER_BYTES && bytes.readUInt32LE(0) === crc32(body)) return body
    debug('damaged: %s', file)
  } catch (err) {
    debug('cannot read %s: %s', file, (err as Error).message)
  } finally {
    closeSync(fd)
  }
  return undefined
}

/** Writes the cache once, a moment after start-up, or at exit if the command ends sooner. */
function saveLater(script: Script, cacheFile: string, bundle: CompiledBundle): void {
  let saved = false
  const save = () => {
    if (saved) return
    saved = true
    process.off('exit', save)
    // NOTE: written aside under a name no other process picks, then renamed: no process ever reads half a file.
    const aside = `${cacheFile}.${randomBytes(8).toString('hex')}.tmp`
    try {
      const body = script.createCachedData()
      const header = Buffer.alloc(HEADER_BYTES)
      header.writeUInt32LE(crc32(body))
      writeFileSync(aside, Buffer.concat([header, body]), { mode: 0o600, flag: 'wx' })
      renameSync(aside, cacheFile)
      debug('written: %s', cacheFile)
      removeStale(dirname(cacheFile), bundle.id)
    } catch (err) {
      // NOTE: a cache is an optimisation: a read-only or full disk only means the next start compiles again.
      debug('cannot write %s: %s', cacheFile, (err as Error).message)
      try {
        unlinkSync(aside)
      } catch {
        // NOTE: never written, or already renamed.
      }
    }
  }
  setTimeout(save, SAVE_AFTER_MS).unref()
  process.once('exit', save)
}

/** Marks a cache in use, at most once a day, so that removeStale spares it. */
function keepFresh(file: string): void {
  try {
    if (Date.now() - lstatSync(file).mtimeMs > DAY_MS) utimesSync(file, new Date(), new Date())
  } catch {
    // NOTE: a cache removed meanwhile is simply made again.
  }
}

/** Removes caches (and files left half-written) not used for a day; only files named as caches, whatever else the directory holds. */
function removeStale(dir: string, id: string): void {
  const now = Date.now()
  for (const name of readdirSync(dir)) {
    if (!CACHE_FILE.test(name) || (name.startsWith(`${id}-`) && !name.endsWith('.tmp'))) continue
    try {
      const path = join(dir, name)
      const stat = lstatSync(path)
      if (stat.isFile() && now - stat.mtimeMs > DAY_MS) unlinkSync(path)
    } catch {
      // NOTE: another process removed it first.
    }
  }
}
