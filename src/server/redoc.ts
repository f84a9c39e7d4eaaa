import { createReadStream } from 'node:fs'
import { createRequire } from 'node:module'
import type { FastifyInstance } from 'fastify'

const BUNDLE = 'redoc/bundles/redoc.standalone.js'
const BUNDLE_URL = '/redoc/redoc.standalone.js'
/** Where ReDoc's own docs load it from, as FastAPI's /redoc does: for a browser with network when the package is absent. */
const CDN_BUNDLE = 'https://cdn.redoc.ly/redoc/v2.5.0/bundles/redoc.standalone.js'

// NOTE: absolute URLs: the page is also served at /redoc/, where relative ones would point under it.
const PAGE = `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>mockcloud API</title>
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="${BUNDLE_URL}"></script>
  </body>
</html>
`

/**
 * ReDoc at /redoc (seed 002 serves it beside /docs), over /openapi.json. The
 * bundle comes from the `redoc` package when it is installed (an optional
 * peer dependency: 115 packages for one file, so not a dependency), found and
 * read only when asked for; otherwise the browser is sent to ReDoc's CDN.
 */
export function registerRedoc(app: FastifyInstance): void {
  const hide = { schema: { hide: true } }
  app.get('/redoc', hide, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get(BUNDLE_URL, hide, async (_req, reply) => {
    let file: string
    try {
      file = createRequire(import.meta.url).resolve(BUNDLE)
    } catch {
      return reply.redirect(CDN_BUNDLE, 302)
    }
    return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(createReadStream(file))
  })
}
