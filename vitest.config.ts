import { defineConfig } from 'vitest/config'

/**
 * Every test runs on SQLite. When MOCKCLOUD_TEST_PG_URL is set (.ci/run sets
 * it), the store contract and the API tests run again on PostgreSQL, each
 * test in a schema of its own, and the multi-process tests run too (they also
 * need MOCKCLOUD_TEST_REDIS_URL).
 */
const pg = process.env['MOCKCLOUD_TEST_PG_URL']

export default defineConfig({
  test: {
    // NOTE: two cores; forks keep better-sqlite3 native handles isolated per file.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/multi-process/**'],
          env: { MOCKCLOUD_TEST_STORE: 'sqlite' },
        },
      },
      ...(pg
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['src/store/**/*.test.ts', 'src/engine/event-history.test.ts', 'src/engine/unique-names.test.ts', 'src/engine/scopes.test.ts', 'src/engine/pools.test.ts', 'src/engine/label-selector.test.ts', 'src/engine/identity/**/*.test.ts', 'test/native/**/*.test.ts', 'test/control/**/*.test.ts', 'test/pools/**/*.test.ts', 'test/multi-process/**/*.test.ts'],
                env: { MOCKCLOUD_TEST_STORE: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
})
