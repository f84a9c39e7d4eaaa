import pg from 'pg'

/** Distinct statement texts given a name, per process; past it, texts run unnamed as before. */
const MAX_NAMED = 400
/** Texts counted while waiting to be seen twice; the count starts over when it is full. */
const MAX_COUNTED = 4_000

const names = new Map<string, string>()
const counted = new Set<string>()

/**
 * The name a statement text runs under, once it has been seen before: the
 * engine's queries are templates whose text repeats, and a named statement
 * is parsed and planned once per connection instead of on every run (most
 * of PostgreSQL's work on a lookup by key). A text seen once (a list page's
 * `in (…)` of one length) stays unnamed, and so does every text past
 * MAX_NAMED, so a connection never holds more than that many.
 */
export function statementName(text: string): string | undefined {
  const name = names.get(text)
  if (name !== undefined) return name
  if (names.size >= MAX_NAMED) return undefined
  if (!counted.has(text)) {
    if (counted.size >= MAX_COUNTED) counted.clear()
    counted.add(text)
    return undefined
  }
  counted.delete(text)
  const fresh = `mc${names.size}`
  names.set(text, fresh)
  return fresh
}

/**
 * A pg client that runs repeated parameterized statements as named
 * (prepared) statements, as `new pg.Pool({ Client: NamedStatementClient })`.
 * Kysely's driver calls `query(text, values)`; that call alone changes.
 */
export class NamedStatementClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2) {
      const name = statementName(text)
      if (name !== undefined) return (super.query as unknown as (config: pg.QueryConfig) => never)({ name, text, values })
    }
    return (super.query as unknown as (...a: unknown[]) => never)(...args)
  }
}
