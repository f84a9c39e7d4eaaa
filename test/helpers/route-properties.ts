import { request } from 'node:http'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { expect } from 'vitest'
import { anyJson, invalidOf, nastyString, validOf, type JsonSchema } from './schema-arbitrary.js'

/** One route as the OpenAPI document describes it. */
export interface RouteOperation {
  method: string
  path: string
  params: Array<{ in: 'path' | 'query' | 'header'; name: string; schema: JsonSchema }>
  body: JsonSchema | undefined
}

/** Every operation under `prefix` in the app's OpenAPI document, except those `skip` names. */
export function operationsOf(app: FastifyInstance, prefix: string, skip: (op: RouteOperation) => boolean = () => false): RouteOperation[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, any>> }
  const out: RouteOperation[] = []
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith(prefix)) continue
    for (const [method, op] of Object.entries(ops)) {
      const operation: RouteOperation = {
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p: { in: string }) => p.in === 'path' || p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema,
      }
      if (!skip(operation)) out.push(operation)
    }
  }
  return out
}

/** Every byte of the UTF-8 escaped (a lone surrogate becomes U+FFFD, as a client's encoder would send it). */
const percentEncode = (s: string) => Buffer.from(s).toString('hex').replace(/../g, '%$&')

const header = fc.stringMatching(/^[\x20-\x7e]{0,80}$/)

/**
 * Requests to one route built from its schemas: junk and real ids in the
 * path, known and unknown query parameters with fitting or nasty values, and
 * bodies that fit, break the schema in one place, are any JSON at all, or
 * are not JSON.
 */
export function requestsFor(op: RouteOperation, ids: readonly string[]): fc.Arbitrary<InjectOptions> {
  const pathParams = op.params.filter((p) => p.in === 'path')
  const queryParams = op.params.filter((p) => p.in === 'query')
  const id = fc.oneof(fc.constantFrom(...ids), nastyString.filter((s) => s.length > 0 && s.length < 3_000))
  const rawSegment = fc.constantFrom('%ZZ', '%', '%00', '%2F', '..', '%E0%A4%A')
  const segment = fc.oneof({ weight: 8, arbitrary: id.map(percentEncode) }, { weight: 1, arbitrary: rawSegment })
  const query = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, fc.oneof(validOf(p.schema).map(String), nastyString, fc.constant(''))])),
    { requiredKeys: [] },
  )
  const extraQuery = fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), nastyString), { nil: undefined })
  const body: fc.Arbitrary<{ payload?: string; type?: string } | undefined> = op.body
    ? fc.oneof(
        { weight: 3, arbitrary: validOf(op.body).map((v) => ({ payload: JSON.stringify(v) })) },
        { weight: 6, arbitrary: invalidOf(op.body).map((v) => ({ payload: JSON.stringify(v) ?? 'null' })) },
        { weight: 2, arbitrary: anyJson.map((v) => ({ payload: JSON.stringify(v) ?? 'null' })) },
        { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\u0000').map((p) => ({ payload: p })) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      )
    : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyJson.map((v) => ({ payload: JSON.stringify(v) ?? 'null' })) })
  const project = fc.option(fc.oneof(fc.constantFrom('default', 'team-b'), header), { nil: undefined })
  return fc
    .record({ segments: fc.array(segment, { minLength: pathParams.length, maxLength: pathParams.length }), query, extraQuery, body, project })
    .map(({ segments, query, extraQuery, body, project }) => {
      let url = op.path
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, segments[i]!)))
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))
      if (extraQuery) qs.append(extraQuery[0], extraQuery[1])
      const q = qs.toString()
      const headers: Record<string, string> = {}
      if (project !== undefined) headers['x-project-id'] = project
      if (body?.payload !== undefined) headers['content-type'] = 'application/json'
      return { method: op.method as InjectOptions['method'], url: q ? `${url}?${q}` : url, headers, ...(body?.payload !== undefined ? { payload: body.payload } : {}) }
    })
}

/** What the store holds, to see that a refused request left nothing behind. */
async function footprint(app: FastifyInstance): Promise<string> {
  const read = app.mockcloud.engine.store.read
  const counts = await read.countByKindAndStatus()
  return JSON.stringify([counts.map((c) => `${c.kind}/${c.status}=${c.n}`).sort(), await read.countTransitions()])
}

/**
 * Sends each request and checks what every face promises of bad input:
 * never a 5xx; every 4xx in the face's error shape, saying what is wrong and,
 * for a 400, naming the field; nothing written when the answer is a 4xx.
 * `errorOf` reads a face's error body as `{ status, code, message, field }`
 * (default: mockcloud's own shape, `{ error: {...} }`).
 */
export async function checkBadInput(app: FastifyInstance, op: RouteOperation, ids: readonly string[], opts: { numRuns: number; seed: number; errorOf?: (body: unknown, status: number) => unknown }): Promise<void> {
  const errorOf = opts.errorOf ?? ((body: unknown) => (body as { error?: Record<string, unknown> }).error)
  await fc.assert(
    fc.asyncProperty(requestsFor(op, ids), async (req) => {
      const before = await footprint(app)
      const res = await app.inject(req)
      const shown = `${req.method} ${String(req.url).slice(0, 200)} ${String(req.payload ?? '').slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`
      expect(res.statusCode, shown).toBeLessThan(500)
      if (res.statusCode < 400) return
      expect(res.headers['content-type'], shown).toMatch(/^application\/json/)
      const error = errorOf(res.json(), res.statusCode) as Record<string, unknown> | undefined
      expect(error, shown).toMatchObject({ status: res.statusCode, code: expect.stringMatching(/^[A-Z_]+$/), message: expect.stringMatching(/\S/) })
      if (res.statusCode === 400) expect(error!['field'], shown).toEqual(expect.any(String))
      expect(await footprint(app), shown).toBe(before)
    }),
    { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: true },
  )
}

/**
 * The same promises of a streaming route (server-sent events), over a
 * listening server at `base`: a request that opens the stream (200,
 * text/event-stream) is dropped at once; any other answer is checked as
 * checkBadInput checks it. (`inject` would wait for a stream that never ends.)
 */
export async function checkBadStreamInput(app: FastifyInstance, base: string, op: RouteOperation, ids: readonly string[], opts: { numRuns: number; seed: number; errorOf?: (body: unknown, status: number) => unknown }): Promise<void> {
  const errorOf = opts.errorOf ?? ((body: unknown) => (body as { error?: Record<string, unknown> }).error)
  await fc.assert(
    // NOTE: past Node's 16 KiB of request head its HTTP parser answers, not the app; checkBadInput covers long URLs through inject.
    fc.asyncProperty(requestsFor(op, ids).filter((req) => String(req.url).length < 8_000), async (req) => {
      const before = await footprint(app)
      const res = await streamRequest(base, req)
      const shown = `${req.method} ${String(req.url).slice(0, 200)} -> ${res.status} ${res.body.slice(0, 300)}`
      expect(res.status, shown).toBeLessThan(500)
      if (res.status < 400) {
        expect(res.contentType, shown).toBe('text/event-stream')
        return
      }
      expect(res.contentType, shown).toMatch(/^application\/json/)
      const error = errorOf(JSON.parse(res.body), res.status) as Record<string, unknown> | undefined
      expect(error, shown).toMatchObject({ status: res.status, code: expect.stringMatching(/^[A-Z_]+$/), message: expect.stringMatching(/\S/) })
      if (res.status === 400) expect(error!['field'], shown).toEqual(expect.any(String))
      expect(await footprint(app), shown).toBe(before)
    }),
    { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: true },
  )
}

/** One request over node:http (no agent, so nothing lingers): the status and, unless it is a stream, the body. */
function streamRequest(base: string, req: InjectOptions): Promise<{ status: number; contentType: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = req.payload === undefined ? undefined : Buffer.from(String(req.payload))
    const headers = { ...(req.headers as Record<string, string>), ...(payload ? { 'content-length': String(payload.length) } : {}) }
    const out = request(`${base}${String(req.url)}`, { method: req.method, headers, agent: false }, (res) => {
      const contentType = res.headers['content-type']
      if (res.statusCode === 200 && contentType === 'text/event-stream') {
        res.destroy()
        return resolve({ status: 200, contentType, body: '' })
      }
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType, body }))
    })
    out.on('error', reject)
    out.end(payload)
  })
}

/** The seed of the property runs: fixed, so CI is repeatable; set MOCKCLOUD_PROPERTY_SEED to explore. */
export const PROPERTY_SEED = Number(process.env['MOCKCLOUD_PROPERTY_SEED'] ?? 20261201)
/** Requests per route: bounded, so the suite stays fast; raise with MOCKCLOUD_PROPERTY_RUNS to search harder. */
export const PROPERTY_RUNS = Number(process.env['MOCKCLOUD_PROPERTY_RUNS'] ?? 40)
