import type { Kysely, Migration } from 'kysely'
import type { StoreDialect } from '../store.js'

/** Fault rules: shared by every node of a deployment, so they live in the store. */
export function faultsMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const table =
        dialect === 'postgres'
          ? db.schema.createTable('faults').addColumn('id', 'bigserial', (c) => c.primaryKey())
          : db.schema.createTable('faults').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      await table
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('remaining', 'integer')
        .addColumn('matched', 'integer', (c) => c.notNull())
        .addColumn('fired', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
    },
  }
}
