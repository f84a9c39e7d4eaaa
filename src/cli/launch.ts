#!/usr/bin/env node
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commandOf, compileCacheDir, runCompiled } from './compile-cache.js'

/**
 * The `mockcloud` binary as built (dist/bundle/main.js): runs the bundled CLI
 * beside it through V8's code cache (see compile-cache.ts). The build
 * writes the bundle's id in place of MOCKCLOUD_BUNDLE_ID.
 */
declare const MOCKCLOUD_BUNDLE_ID: string

runCompiled({
  file: join(dirname(fileURLToPath(import.meta.url)), 'mockcloud.cjs'),
  id: MOCKCLOUD_BUNDLE_ID,
  dir: compileCacheDir(),
  command: commandOf(process.argv),
})
