import type { Kysely, Migration } from 'kysely'

/**
 * The workers of a shared deployment and when each last beat, so a `serve`
 * that applies no transitions itself can tell whether anything does.
 */
export const workersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('workers')
      .addColumn('node', 'text', (c) => c.primaryKey())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addColumn('stopped_at', 'bigint')
      .execute()
  },
}
