import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'
import { Store } from './store.js'

// NOTE: int8 (bigint) columns hold epoch milliseconds and sequences: well inside
// Number's exact range, so they are read as numbers rather than strings.
pg.types.setTypeParser(20, (v) => Number(v))

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Opens (and migrates) a PostgreSQL store from a `postgres://` URL. A
 * `?schema=NAME` parameter keeps mockcloud in its own schema, created if
 * needed, so several mockclouds (or test runs) can share one database.
 * Migrations take Kysely's lock, so nodes starting together migrate once.
 *
 * @example
 * const store = await openPostgresStore('postgres://127.0.0.1:5432/test?schema=team_a')
 */
export async function openPostgresStore(url: string, opts: { poolSize?: number } = {}): Promise<Store> {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? undefined
  parsed.searchParams.delete('schema')
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(`schema '${schema}' in the database URL must be lower-case letters, digits and _, starting with a letter`)
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: opts.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
    const store = new Store(db, 'postgres', redact(parsed, schema), { schema })
    await store.migrate()
    return store
  } catch (err) {
    await db.destroy()
    throw err
  }
}

/** The URL without its password, for logs and /health. */
function redact(url: URL, schema: string | undefined): string {
  const shown = new URL(url.toString())
  if (shown.password) shown.password = '***'
  if (schema) shown.searchParams.set('schema', schema)
  return shown.toString()
}
