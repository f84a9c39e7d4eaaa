import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshDb, pgUrl, TEST_STORE } from '../../test/helpers/store.js'
import { openPostgresStore } from './postgres-store.js'

/**
 * A URL without `?schema=` on a database that already holds other
 * mockclouds (other schemas with their own migration tables), as the
 * machine's `test` database does after a test run. Each test gets a
 * database of its own, dropped after.
 */
describe.skipIf(TEST_STORE !== 'postgres')('a PostgreSQL store without ?schema=', () => {
  let name: string
  let url: string
  const admin = (query: string) => sql(pgUrl(), query)
  const sql = async (connectionString: string, query: string) => {
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      return await client.query(query)
    } finally {
      await client.end()
    }
  }
  beforeEach(async () => {
    name = `mc_${randomBytes(6).toString('hex')}`
    await admin(`create database ${name}`)
    const u = new URL(pgUrl())
    u.pathname = `/${name}`
    url = u.toString()
  })
  afterEach(async () => {
    await admin(`drop database if exists ${name} with (force)`)
  })

  it('migrates into the default schema even when another schema has migration tables', async () => {
    const other = await openPostgresStore(`${url}?schema=other_team`)
    await other.close()
    const store = await openPostgresStore(url)
    try {
      await store.transaction((q) => q.setMeta('who', 'default'))
      expect(await store.read.getMeta('who')).toBe('default')
      const tables = await sql(url, `select table_schema from information_schema.tables where table_name = 'kysely_migration_lock' order by 1`)
      expect(tables.rows).toEqual([{ table_schema: 'other_team' }, { table_schema: 'public' }])
    } finally {
      await store.close()
    }
  })
})

describe.skipIf(TEST_STORE !== 'postgres')('a PostgreSQL store beside other mockclouds in one database', () => {
  it('a fresh ?schema= opened by four nodes at once is created and migrated once, and every node opens it', async () => {
    for (let round = 0; round < 5; round++) {
      const db = freshDb()
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => openPostgresStore(db.location)))
      try {
        expect(opened.filter((o) => o.status === 'rejected')).toEqual([])
      } finally {
        for (const o of opened) if (o.status === 'fulfilled') await o.value.close()
        await db.drop()
      }
    }
  })

  it('opens while other mockclouds drop their schemas', async () => {
    // NOTE: test runs drop their schemas all the time; opening a store must not look into them.
    const churn = new pg.Client({ connectionString: pgUrl() })
    await churn.connect()
    let churning = true
    const dropping = (async () => {
      while (churning) {
        const name = `churn_${randomBytes(4).toString('hex')}`
        const tables = Array.from({ length: 20 }, (_, t) => `create table ${name}.t${t} (a int, b int, c int, d text, e text);`).join('')
        await churn.query(`create schema ${name}; ${tables}`)
        await churn.query(`drop schema ${name} cascade`)
      }
    })()
    try {
      for (let i = 0; i < 10; i++) {
        const db = freshDb()
        try {
          await (await openPostgresStore(db.location)).close()
        } finally {
          await db.drop()
        }
      }
    } finally {
      churning = false
      await dropping
      await churn.end()
    }
  })
})
