import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from '../../test/helpers/process.js'
import { startCheckpointer } from './sqlite-checkpointer.js'
import { openSqliteStore } from './sqlite-store.js'

describe('SQLite checkpointer', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  it('copies the WAL back into the database from its thread while the writer never checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockcloud-ckpt-'))
    dirs.push(dir)
    const path = join(dir, 'db.sqlite')
    const db = new SQLite(path)
    db.pragma('journal_mode = WAL')
    db.pragma('wal_autocheckpoint = 0')
    db.exec('create table t (id integer primary key, v text)')
    const insert = db.prepare('insert into t (v) values (?)')
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(2000))
    const sizeBefore = statSync(path).size

    let frames = 0
    const failures: string[] = []
    const cp = startCheckpointer(path, (r) => failures.push(r), { periodMs: 10, onCheckpoint: (n) => (frames += n) })
    try {
      await until(async () => (frames > 0 ? frames : undefined), 'a checkpoint')
      expect(statSync(path).size).toBeGreaterThan(sizeBefore) // the rows are in the main file now
      expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 200 })
    } finally {
      await cp.stop()
      db.close()
    }
    expect(failures).toEqual([])
  })

  it('keeps the WAL near its limit under a stream of commits, with every commit kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockcloud-ckpt-'))
    dirs.push(dir)
    const path = join(dir, 'db.sqlite')
    const limitPages = 100
    const store = await openSqliteStore(path, { walLimitPages: limitPages })
    const event = (i: number) => ({ at: i, project: 'p', kind: 'k', resourceId: `r-${i}-${'x'.repeat(900)}`, name: `n${i}`, type: 'created' as const, operation: 'create', fromStatus: null, toStatus: 'active', version: 1, resource: null })
    try {
      // NOTE: one after the other, as a steady stream of requests: each its own commit,
      // each several pages, far more pages in all than the limit.
      for (let i = 0; i < 600; i++) await store.transaction((q) => q.appendEvents([event(i)], 10_000))
      const walBytes = statSync(`${path}-wal`).size
      expect(walBytes).toBeLessThan(2 * limitPages * 4096)
      expect((await store.read.listEvents({ limit: 1000 })).length).toBe(600)
    } finally {
      await store.close()
    }
  })

  it('reports a worker that cannot open the database', async () => {
    const failures: string[] = []
    const cp = startCheckpointer(join(tmpdir(), 'no-such-dir-mockcloud', 'x.db'), (r) => failures.push(r), { periodMs: 10 })
    await until(async () => failures[0], 'a failure report')
    expect(failures[0]).toMatch(/directory|unable to open|SQLITE_CANTOPEN|exited/i)
    await cp.stop()
  })
})
