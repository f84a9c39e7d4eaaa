import { CompiledQuery, type Compilable, type Kysely, type QueryResult, type Transaction } from 'kysely'
import type { Database } from './database.js'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Runs a compiled read at once, outside Kysely, when the database allows it
 * right now; undefined means "not now" and the read goes through Kysely.
 */
export type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined

/**
 * Runs a compiled statement at once on the connection of the transaction
 * under way, outside Kysely (SQLite's one connection, inside a group commit);
 * undefined means "not now" and the statement goes through Kysely.
 */
export type TxExecutor = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown> | undefined

/** Stands for the i-th argument while a template is built; typed `never` so it fits any column. */
export type Arg = (i: number) => never

const MARK = '\u0000mockcloud-arg:'

/**
 * A Kysely query built and compiled once, then run with new arguments.
 *
 * Building and compiling a query costs Kysely more time than SQLite takes to
 * run the hot ones (a lookup by id, an event insert), so the queries the
 * engine makes on every request are templates. The SQL is still written once
 * in Kysely for both databases; only its compiled text is reused, per dialect
 * (the compiled text of a Kysely instance and its transactions is the same).
 *
 * @example
 * const byId = new QueryTemplate((db, arg) => db.selectFrom('resources').selectAll().where('id', '=', arg(0)))
 * const { rows } = await byId.run(db, 'sqlite', [id])
 */
export class QueryTemplate {
  private readonly compiled = new Map<string, Compiled>()

  constructor(private readonly build: (db: Kysely<Database>, arg: Arg) => Compilable) {}

  run<R = Record<string, unknown>>(db: Db, dialect: string, args: readonly unknown[], direct?: DirectReader, exec?: TxExecutor): Promise<QueryResult<R>> {
    const rows = direct && this.tryDirect<R>(db, dialect, args, direct)
    if (rows) return Promise.resolve({ rows })
    const entry = this.entry(db, dialect)
    const now = exec?.(entry.query.sql, this.parameters(entry, args))
    if (now) return Promise.resolve(now as QueryResult<R>)
    return db.executeQuery<R>(CompiledQuery.raw(entry.query.sql, this.parameters(entry, args)) as CompiledQuery<R>)
  }

  /** The rows of a read run at once outside any transaction, or undefined when the database cannot right now. */
  tryDirect<R = Record<string, unknown>>(db: Db, dialect: string, args: readonly unknown[], direct: DirectReader): R[] | undefined {
    const entry = this.entry(db, dialect)
    return entry.read ? (direct(entry.query.sql, this.parameters(entry, args)) as R[] | undefined) : undefined
  }

  private entry(db: Db, dialect: string): Compiled {
    let entry = this.compiled.get(dialect)
    if (!entry) {
      const query = this.build(db as Kysely<Database>, ((i: number) => `${MARK}${i}`) as Arg).compile()
      const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : { value: p }))
      entry = { query, slots, read: query.query.kind === 'SelectQueryNode' }
      this.compiled.set(dialect, entry)
    }
    return entry
  }

  private parameters(entry: Compiled, args: readonly unknown[]): unknown[] {
    return entry.slots.map((s) => (typeof s === 'number' ? args[s] : s.value))
  }
}

interface Compiled {
  query: CompiledQuery
  slots: Array<number | { value: unknown }>
  read: boolean
}
