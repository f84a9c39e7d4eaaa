import { PostgresDialect, sql, type DatabaseIntrospector, type Kysely, type PostgresDialectConfig, type SchemaMetadata, type TableMetadata } from 'kysely'

/**
 * PostgreSQL whose introspection sees only the store's own schema. Kysely's
 * Migrator asks the introspector which of its tables exist; the stock one
 * reads every column of every schema in the database, so it slows with each
 * mockcloud sharing the database and fails outright ("schema ... does not
 * exist") when another one drops its schema meanwhile, as test runs do.
 */
export class OneSchemaPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string,
  ) {
    super(config)
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OneSchemaIntrospector(db, this.schema)
  }
}

/** Table names only (no columns): all the Migrator reads. */
class OneSchemaIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    return (await sql<SchemaMetadata>`select nspname as name from pg_namespace where nspname = ${this.schema}`.execute(this.db)).rows
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${this.schema}`.execute(this.db)
    return rows.map((r) => ({ name: r.name, schema: this.schema, isView: false, columns: [] }))
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() }
  }
}
