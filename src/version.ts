import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * mockcloud's package.json, read at run time so the version is the one of the
 * installed package. Found by walking up from this module, which sits at a
 * different depth in dist/ and in the bundled CLI (dist/bundle/).
 */
function readPackageJson(): { version: string } {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string }
      if (pkg.name === 'mockcloud') return pkg
    } catch {
      // not here
    }
    const up = dirname(dir)
    if (up === dir) throw new Error('cannot find mockcloud/package.json above ' + fileURLToPath(import.meta.url))
    dir = up
  }
}

/** mockcloud's version, as in package.json. */
export const VERSION: string = readPackageJson().version
