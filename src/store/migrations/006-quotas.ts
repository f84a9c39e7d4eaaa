import type { Kysely, Migration } from 'kysely'

/**
 * Quotas per scope (docs/decisions/0008-quotas.md): one row each, holding the
 * scope's own limits and what it uses (JSON; usage null until its first
 * counted change, then counted from its resources). One row, so a create
 * locks one thing however many quotas it takes.
 */
export const quotasMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('quotas')
      .addColumn('scope', 'text', (c) => c.primaryKey())
      .addColumn('usage', 'text')
      .addColumn('limits', 'text', (c) => c.notNull())
      .execute()
  },
}
