// Bundles the CLI into dist/bundle/ (one file instead of some thousand: start-up
// was mostly module loading): mockcloud.cjs, the whole CLI as one CommonJS
// file, and main.js, the binary, which runs it through V8's code cache
// (src/cli/compile-cache.ts, ADR 0013). Native, optional and file-reading
// packages stay outside the bundle. `node scripts/bundle-cli.mjs [DIR]` writes
// into DIR instead (it must be inside this checkout, to find node_modules).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const out = process.argv[2] ?? 'dist/bundle'
// NOTE: the directory is emptied first; refuse one that holds anything but an earlier bundle.
if (out.startsWith('-')) throw new Error(`usage: node scripts/bundle-cli.mjs [DIR], not ${out}`)
if (existsSync(out) && readdirSync(out).some((f) => !/^(main\.js|mockcloud\.cjs|.*\.LEGAL\.txt)$/.test(f))) throw new Error(`${out} holds files other than a bundle's: not emptying it`)
rmSync(out, { recursive: true, force: true })

// NOTE: CommonJS, because only a script (not an ES module) can be compiled from a code cache without an experimental flag.
const cli = await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: join(out, 'mockcloud.cjs'),
  write: false,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // NOTE: native (better-sqlite3), optional (pg-native, redoc), or reading their own files at run time (swagger-ui, pino's workers).
  external: ['better-sqlite3', 'pg', 'pg-native', 'bullmq', 'ioredis', '@fastify/swagger-ui', 'redoc'],
  // NOTE: the sources are ES modules; in a CommonJS file, the module's URL is its file's.
  define: { 'import.meta.url': '__mockcloudModuleUrl' },
  // NOTE: the file is the function Node would wrap a CommonJS file in, so the launcher compiles it as read, without a copy.
  // NOTE: "use strict" first, or esbuild's own would follow a statement and be no directive: the ES modules it came from were strict.
  banner: { js: "(function (exports, require, module, __filename, __dirname) {'use strict';var __mockcloudModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  // NOTE: ASCII only (non-ASCII escaped), so the launcher can read it as Latin-1, which Node keeps outside V8's heap; the packages'
  // licence comments (some not ASCII) go to a file beside it.
  charset: 'ascii',
  legalComments: 'external',
  // NOTE: V8 keeps the source of a script in memory (2.5 MB instead of 4); names stay, so stack traces still say which function.
  minifyWhitespace: true,
  minifySyntax: true,
  // NOTE: an uncaught error prints its source line; short lines keep that (and stack positions) readable.
  lineLimit: 160,
  logLevel: 'warning',
})
// NOTE: esbuild puts the entry's shebang above the banner; this file is not run by itself.
mkdirSync(out, { recursive: true })
let code = ''
for (const file of cli.outputFiles) writeFileSync(file.path, file.path.endsWith('.cjs') ? (code = file.text.replace(/^#!.*\n/, '')) : file.contents)

// NOTE: V8 checks only a cache's source length; the content's hash names the cache, so a rebuilt bundle never runs another's code.
const id = createHash('sha256').update(code).digest('hex').slice(0, 16)
await build({
  entryPoints: ['src/cli/launch.ts'],
  outfile: join(out, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { MOCKCLOUD_BUNDLE_ID: JSON.stringify(id) },
  logLevel: 'warning',
})
