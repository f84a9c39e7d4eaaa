// Bundles the CLI into dist/bundle/ (one module graph instead of some
// thousand files: start-up was mostly module loading). Dynamic imports stay
// separate chunks, so a configuration still loads only what it uses; native,
// optional and file-reading packages stay outside the bundle.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

// NOTE: chunk names carry a hash: without this, old chunks pile up and ship in the package.
rmSync('dist/bundle', { recursive: true, force: true })

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // NOTE: native (better-sqlite3), optional (pg-native, redoc), or reading their own files at run time (swagger-ui, pino's workers).
  external: ['better-sqlite3', 'pg', 'pg-native', 'bullmq', 'ioredis', '@fastify/swagger-ui', 'redoc'],
  // NOTE: bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __mockcloudRequire } from 'node:module'; const require = __mockcloudRequire(import.meta.url);" },
  logLevel: 'warning',
})
