import type { FastifyInstance } from 'fastify'
import { Type, type Static, type TObject, type TSchema } from 'typebox'
import type { Engine, ListOptions } from '../../engine/engine.js'
import { ValidationError } from '../../engine/errors.js'
import type { ResourceRecord } from '../../store/records.js'
import { serializerCompiler } from '../../server/validation.js'
import { updateChange } from './mappers.js'
import { projectOf } from './project.js'
import { AttachParams, ErrorBody, IdParams, ListQueryBase, Page } from './schemas.js'

/**
 * One native resource collection, described once: its path, its engine kind,
 * its wire schemas and mappers. `registerResource` derives the five CRUD
 * routes and the actions from it; a collection without `create` (flavors,
 * images) is read-only: list and get.
 */
export interface NativeResource<Body extends TSchema, Wire extends TSchema> {
  /** Path segment under /api/v1 (`vms`). */
  path: string
  kind: string
  /** Singular, for OpenAPI summaries (`VM`). */
  label: string
  /** The create body; none for a read-only collection. */
  create?: Body
  wire: Wire
  /** Asynchronous kinds answer 202 to create and delete, with the resource in its transitional state. */
  async: boolean
  /** The PATCH body: what may change; none when nothing may. */
  update?: TObject
  /** Accept a POST without a body (floating IPs). */
  optionalBody?: boolean
  toInput?(body: Static<Body>): Record<string, unknown>
  /**
   * Record to wire. A mapper that answers synchronously must depend on the
   * record alone: GET caches its JSON per record version. One that reads more
   * (a group's rules) returns a promise and is run on every request.
   */
  toWire(r: ResourceRecord<never>, engine: Engine): Static<Wire> | Promise<Static<Wire>>
  /** Extra list filters: query name -> engine list option. */
  filters?: Record<string, { option: 'status' | 'parentId'; schema: TSchema }>
  /** Actions without arguments: POST /{id}/{action}. */
  actions?: readonly string[]
  /** Actions on another VM: POST /{id}/{action}/{vm_id}. */
  vmActions?: readonly string[]
  /** Engine field names shown under another name in errors of this collection, given the request body. */
  fieldNames?: (body: Static<Body>) => Record<string, string>
  listOptions?: Pick<ListOptions, 'includeShared'>
}

const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody }

const IfMatchHeader = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 64, description: 'The ETag of the GET this change is based on: 412 if the resource changed since' })),
})

/** A resource's version as an entity tag: GET sends it, PATCH takes it back in If-Match. */
const etagOf = (r: ResourceRecord) => `"${r.version}"`

/** The version an If-Match header names (`"3"`, or `W/"3"`); `*` or none: any. */
function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header)
  if (!m) throw new ValidationError('If-Match', `If-Match: '${header.slice(0, 40)}' is not an entity tag this API sends (the ETag of a GET, e.g. "3")`)
  return Number(m[1])
}

// NOTE: schemas built once per resource, so compiled validators and serialisers are reused by every app.
const derived = new WeakMap<object, { ListQuery: TSchema; PageOf: TSchema; CreateBody: TSchema | undefined }>()

function derivedSchemas(res: NativeResource<TObject, TObject>) {
  let d = derived.get(res)
  if (!d) {
    const filterProps = Object.fromEntries(Object.entries(res.filters ?? {}).map(([q, f]) => [q, Type.Optional(f.schema)]))
    d = {
      ListQuery: Type.Object({ ...ListQueryBase, status: Type.Optional(Type.String({ maxLength: 32 })), ...filterProps }, { additionalProperties: false }),
      PageOf: Page(res.wire),
      CreateBody: res.create && res.optionalBody ? Type.Union([res.create, Type.Null()]) : res.create,
    }
    derived.set(res, d)
  }
  return d
}

export function registerResource<Body extends TObject, Wire extends TObject>(app: FastifyInstance, res: NativeResource<Body, Wire>): void {
  const engine = app.mockcloud.engine
  const toWire = (r: ResourceRecord) => res.toWire(r as ResourceRecord<never>, engine)
  const config = (operation: string) => ({ fieldNames: res.fieldNames, face: 'native', operation: `${res.path}.${operation}` })
  const tags = [res.path]
  const { ListQuery, PageOf, CreateBody } = derivedSchemas(res as unknown as NativeResource<TObject, TObject>)
  const createdStatus = res.async ? 202 : 201

  // NOTE: a record the store keeps cached is frozen and unchanged until written, and a
  // mapper that answers at once depends on the record alone: its JSON is made once.
  const serialize = serializerCompiler({ schema: res.wire })
  const wireJson = new WeakMap<ResourceRecord, string>()
  /** The record's wire JSON when it can be kept; undefined for a record that is not cached or a mapper that reads more. */
  let mapperReadsMore = false
  const jsonOf = (r: ResourceRecord): string | undefined => {
    if (mapperReadsMore) return undefined
    let body = wireJson.get(r)
    if (body === undefined && Object.isFrozen(r)) {
      const wire = toWire(r)
      if (wire instanceof Promise) {
        mapperReadsMore = true
        wire.catch(() => undefined)
        return undefined
      }
      body = serialize(wire)
      wireJson.set(r, body)
    }
    return body
  }

  const toInput = res.toInput
  if (CreateBody && toInput) {
    app.post(
      `/${res.path}`,
      {
        config: config('create'),
        schema: {
          tags,
          summary: `Create a ${res.label}`,
          body: CreateBody,
          response: { [createdStatus]: res.wire, ...errors },
        },
      },
      async (req, reply) => {
        const created = await engine.create(projectOf(req), res.kind, toInput((req.body ?? {}) as Static<Body>))
        return reply.code(createdStatus).send(await toWire(created))
      },
    )
  }

  app.get(
    `/${res.path}`,
    { config: config('list'), schema: { tags, summary: `List ${res.label}s`, querystring: ListQuery, response: { 200: PageOf, ...errors } } },
    async (req, reply) => {
      const q = req.query as Record<string, string | number | undefined>
      const opts: ListOptions = { ...res.listOptions, limit: q['limit'] as number | undefined, cursor: q['cursor'] as string | undefined, name: q['name'] as string | undefined, status: q['status'] as string | undefined }
      for (const [name, f] of Object.entries(res.filters ?? {})) if (q[name] !== undefined) opts[f.option] = String(q[name])
      const page = await engine.list(projectOf(req), res.kind, opts)
      const parts = page.items.map(jsonOf)
      if (parts.every((p) => p !== undefined)) {
        return reply.type('application/json; charset=utf-8').send(`{"items":[${parts.join(',')}],"next_cursor":${JSON.stringify(page.nextCursor)}}`)
      }
      return { items: await Promise.all(page.items.map(toWire)), next_cursor: page.nextCursor }
    },
  )

  app.get(
    `/${res.path}/:id`,
    { config: config('get'), schema: { tags, summary: `Get a ${res.label}`, params: IdParams, response: { 200: res.wire, ...errors } } },
    async (req, reply) => {
      const r = await engine.get(projectOf(req), res.kind, (req.params as Static<typeof IdParams>).id)
      reply.header('etag', etagOf(r))
      const body = jsonOf(r)
      return body === undefined ? toWire(r) : reply.type('application/json; charset=utf-8').send(body)
    },
  )

  if (res.update) {
    app.patch(
      `/${res.path}/:id`,
      { config: config('update'), schema: { tags, summary: `Change a ${res.label}: only the fields given`, params: IdParams, headers: IfMatchHeader, body: res.update, response: { 200: res.wire, 412: ErrorBody, ...errors } } },
      async (req, reply) => {
        const change = { ...updateChange(req.body as Record<string, unknown>), expectedVersion: ifMatch(req.headers['if-match']) }
        const r = await engine.update(projectOf(req), res.kind, (req.params as Static<typeof IdParams>).id, change)
        return reply.header('etag', etagOf(r)).send(await toWire(r))
      },
    )
  }

  if (res.create) {
    app.delete(
      `/${res.path}/:id`,
      { config: config('delete'), schema: { tags, summary: `Delete a ${res.label}`, params: IdParams, response: { ...(res.async ? { 202: res.wire } : {}), 204: Type.Null(), ...errors } } },
      async (req, reply) => {
        const after = await engine.delete(projectOf(req), res.kind, (req.params as Static<typeof IdParams>).id)
        return after ? reply.code(202).send(await toWire(after)) : reply.code(204).send()
      },
    )
  }

  for (const action of res.actions ?? []) {
    app.post(
      `/${res.path}/:id/${action}`,
      { config: config(action), schema: { tags, summary: `${action} a ${res.label}`, params: IdParams, response: { 202: res.wire, ...errors } } },
      async (req, reply) => {
        const r = await engine.act(projectOf(req), res.kind, (req.params as Static<typeof IdParams>).id, action)
        return reply.code(res.async ? 202 : 200).send(await toWire(r))
      },
    )
  }

  for (const action of res.vmActions ?? []) {
    app.post(
      `/${res.path}/:id/${action}/:vm_id`,
      { config: config(action), schema: { tags, summary: `${action} a ${res.label} to a VM`, params: AttachParams, response: { 200: res.wire, 202: res.wire, ...errors } } },
      async (req, reply) => {
        const p = req.params as Static<typeof AttachParams>
        const r = await engine.act(projectOf(req), res.kind, p.id, action, { vmId: p.vm_id })
        return reply.code(res.async ? 202 : 200).send(await toWire(r))
      },
    )
  }
}
