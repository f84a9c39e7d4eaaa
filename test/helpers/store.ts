import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/**
 * Which store this test run uses: SQLite always; PostgreSQL in the vitest
 * project that sets MOCKCLOUD_TEST_STORE=postgres (with MOCKCLOUD_TEST_PG_URL).
 */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env['MOCKCLOUD_TEST_STORE'] === 'postgres' ? 'postgres' : 'sqlite'

export function pgUrl(): string {
  const url = process.env['MOCKCLOUD_TEST_PG_URL']
  if (!url) throw new Error('MOCKCLOUD_TEST_STORE=postgres needs MOCKCLOUD_TEST_PG_URL')
  return url
}

/** A fresh, empty database location of the run's store, and how to remove it. */
export interface TestDb {
  location: string
  /** The PostgreSQL schema, when the store is PostgreSQL. */
  schema?: string
  drop(): Promise<void>
}

/**
 * A new database for one test: a SQLite file in a temp dir (or `:memory:`
 * when `persistent` is false), or a schema of its own in the PostgreSQL test
 * database, so concurrent tests and runs never see each other's state.
 */
export function freshDb(opts: { persistent?: boolean; store?: 'sqlite' | 'postgres' } = {}): TestDb {
  if ((opts.store ?? TEST_STORE) === 'postgres') {
    const schema = `t_${randomBytes(6).toString('hex')}`
    const url = new URL(pgUrl())
    url.searchParams.set('schema', schema)
    return {
      location: url.toString(),
      schema,
      async drop() {
        const client = new pg.Client({ connectionString: pgUrl() })
        await client.connect()
        try {
          // NOTE: a test's processes may still be stopping, mid-transaction in the schema: PostgreSQL can pick the drop to break a deadlock.
          for (let attempt = 1; ; attempt++) {
            try {
              await client.query(`drop schema if exists ${schema} cascade`)
              break
            } catch (err) {
              if ((err as { code?: string }).code !== '40P01' || attempt === 5) throw err
              await new Promise((r) => setTimeout(r, 200 * attempt))
            }
          }
        } finally {
          await client.end()
        }
      },
    }
  }
  if (!opts.persistent) return { location: ':memory:', drop: async () => undefined }
  const dir = mkdtempSync(join(tmpdir(), 'mockcloud-test-'))
  return { location: join(dir, 'state.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) }
}
