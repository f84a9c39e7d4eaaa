import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { freshDb, TEST_STORE } from '../../test/helpers/store.js'
import { statementName } from './named-statements.js'
import { openPostgresStore } from './postgres-store.js'

describe('statementName', () => {
  it('names a text from its second run on, the same name each time, and each text its own', () => {
    const a = `select ${randomBytes(4).toString('hex')} where x = $1`
    const b = `select ${randomBytes(4).toString('hex')} where y = $1`
    expect(statementName(a)).toBeUndefined()
    const name = statementName(a)
    expect(name).toMatch(/^mc\d+$/)
    expect(statementName(a)).toBe(name)
    expect(statementName(b)).toBeUndefined()
    expect(statementName(b)).not.toBe(name)
  })
})

describe.skipIf(TEST_STORE !== 'postgres')('a PostgreSQL store', () => {
  it('runs the statements it repeats as prepared statements on its connection', async () => {
    const db = freshDb()
    // NOTE: one connection, so the statements prepared are on the one this test then asks.
    const store = await openPostgresStore(db.location, { poolSize: 1 })
    try {
      for (let i = 0; i < 3; i++) expect(await store.read.getResource(`absent-${i}`)).toBeUndefined()
      const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(store.db)
      expect(rows.some((r) => /from "resources" where "id" = \$1/.test(r.statement))).toBe(true)
    } finally {
      await store.close()
      await db.drop()
    }
  })
})
