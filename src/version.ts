import { createRequire } from 'node:module'

// NOTE: read at run time so the version is the one of the installed package.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string }

/** mockcloud's version, as in package.json. */
export const VERSION: string = pkg.version
