import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendError, type ErrorShape } from './error-shape.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the server, to tell a wrong method (405) from an unknown path (404). */
    routeTable: RouteTable
  }
}

/** The routes of a server as (method, URL pattern), matched only when a request found no route. */
export class RouteTable {
  private readonly routes: Array<{ method: string; url: string }> = []
  private compiled: Array<{ method: string; re: RegExp }> | undefined

  add(method: string, url: string): void {
    this.routes.push({ method, url })
    this.compiled = undefined
  }

  /** The methods some route answers on `path` (trailing slash ignored, as the router does), sorted. */
  methodsFor(path: string): string[] {
    // NOTE: built on the first unrouted request, not at start-up: only error paths pay for it.
    this.compiled ??= this.routes.map((r) => ({ method: r.method, re: patternOf(r.url) }))
    const p = withoutTrailingSlash(path)
    return [...new Set(this.compiled.filter((r) => r.re.test(p)).map((r) => r.method))].sort()
  }
}

const withoutTrailingSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path)

/** `/api/v1/vms/:id/stop` -> a regex; `:param` is one segment, `*` the rest of the path. */
function patternOf(url: string): RegExp {
  const source = withoutTrailingSlash(url)
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}$`)
}

/** Keeps the table of `app`'s routes as they are added; call before any route is. */
export function trackRoutes(app: FastifyInstance): void {
  const table = new RouteTable()
  app.decorate('routeTable', table)
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.add(method, route.url)
  })
}

/**
 * What a request no route answers gets: 405 (with the methods to put in an
 * Allow header) when the path exists under other methods, otherwise 404.
 */
export function unroutedError(req: FastifyRequest): { error: ErrorShape; allow?: string } {
  const path = req.url.split('?')[0] ?? '/'
  const allowed = req.server.routeTable.methodsFor(path)
  // NOTE: a route that answers this method and still calls not-found (a missing file under /docs/*) means 404.
  if (allowed.length > 0 && !allowed.includes(req.method)) {
    const message = `${req.method} is not allowed on ${path}; it answers ${allowed.join(', ')}`
    return { error: { status: 405, code: 'EMU_ERR_METHOD_NOT_ALLOWED', message, field: null }, allow: allowed.join(', ') }
  }
  const message = `no route ${req.method} ${path}; the native API is under /api/v1, the pool manager under /pool-manager, its pods under /pods and the control face under /_mockcloud (every path is in /openapi.json, /docs and /redoc)`
  return { error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message, field: null } }
}

/** The not-found handler of every face and of the server that answer in the native error shape. */
export async function answerUnrouted(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { error, allow } = unroutedError(req)
  if (allow) reply.header('allow', allow)
  return sendError(reply, error)
}
