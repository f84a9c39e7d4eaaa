import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'

/** Files this process holds, with how many of its stores hold each (tests reopen a file in one process). */
const held = new Map<string, number>()

/** A SQLite file already served by another live process. */
export class SqliteInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`${path} is in use by another mockcloud (pid ${pid}): one process per SQLite file; to share state between processes, use a postgres:// --db`)
    this.name = 'SqliteInUseError'
  }
}

/**
 * Claims a SQLite file for this process with a `<file>.lock` beside it that
 * names the owner's pid, so a second `mockcloud serve` on the same file
 * stops with a clear error instead of running a second scheduler over the
 * same transitions. A lock left by a process that is gone (kill -9) is
 * taken over. Returns the release function.
 */
export function claimSqliteFile(path: string): () => void {
  const lock = `${path}.lock`
  const mine = held.get(lock) ?? 0
  if (mine === 0) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number.parseInt(readFileSync(lock, 'utf8'), 10)
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) throw new SqliteInUseError(path, owner)
      // NOTE: its owner is gone (or it is ours from an unclean close): take it over.
      writeFileSync(lock, `${process.pid}\n`)
    }
  }
  held.set(lock, mine + 1)
  let released = false
  return () => {
    if (released) return
    released = true
    const left = (held.get(lock) ?? 1) - 1
    if (left > 0) return void held.set(lock, left)
    held.delete(lock)
    try {
      if (Number.parseInt(readFileSync(lock, 'utf8'), 10) === process.pid) unlinkSync(lock)
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // NOTE: EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
