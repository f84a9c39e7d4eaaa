import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // NOTE: two cores; forks keep better-sqlite3 native handles isolated per file.
    pool: 'forks',
    testTimeout: 20_000,
  },
})
