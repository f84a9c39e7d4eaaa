import { Kysely } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'
import { NamedStatementClient } from './named-statements.js'
import { OneSchemaPostgresDialect } from './one-schema-dialect.js'
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
    Client: NamedStatementClient,
    // NOTE: every transaction writes events and commits under the numbering lock: no waiting there for the WAL
    // flush (ADR 0007), set once per connection rather than by one more statement in each transaction.
    options: [...(schema ? [`-c search_path=${schema}`] : []), '-c synchronous_commit=off'].join(' '),
  })
  let db: Kysely<Database> | undefined
  try {
    if (schema) await createSchema(pool, schema)
    const home = schema ?? (await currentSchema(pool))
    db = new Kysely<Database>({ dialect: new OneSchemaPostgresDialect({ pool }, home) })
    const store = new Store(db, 'postgres', redact(parsed, schema), { schema: home })
    await store.migrate()
    return store
  } catch (err) {
    await (db ? db.destroy() : pool.end())
    throw err
  }
}

/**
 * Creates the schema unless it exists. Two nodes starting together can both
 * miss it and race: PostgreSQL's `if not exists` may still throw then.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    // NOTE: the name is checked against SCHEMA_NAME, so quoting it is enough.
    await pool.query(`create schema if not exists "${schema}"`)
  } catch (err) {
    const { rowCount } = await pool.query('select 1 from pg_namespace where nspname = $1', [schema])
    if (!rowCount) throw err
  }
}

/**
 * The schema unqualified names resolve to (the first existing one on the
 * search_path): where a URL without ?schema= keeps mockcloud's tables.
 */
async function currentSchema(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema')
  const schema = rows[0]?.schema
  if (!schema) throw new Error('the database has no schema on its search_path to keep mockcloud in: add ?schema=NAME to the URL')
  return schema
}

/** The URL without its password, for logs and /health. */
function redact(url: URL, schema: string | undefined): string {
  const shown = new URL(url.toString())
  if (shown.password) shown.password = '***'
  if (schema) shown.searchParams.set('schema', schema)
  return shown.toString()
}
