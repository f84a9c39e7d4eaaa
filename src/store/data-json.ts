import type { ResourceRecord } from './records.js'

/** The JSON each data object was read from or written as. */
const jsonOf = new WeakMap<object, string>()

/**
 * A resource's data as JSON, made once per data object: a change of status or
 * phase keeps the object (the engine never changes data in place; it writes a
 * new object), so each phase of a build, and the event that carries it, reuse
 * the JSON its read or its last write made instead of making it again.
 */
export function dataJson(data: unknown): string {
  if (data === null || typeof data !== 'object') return JSON.stringify(data)
  let json = jsonOf.get(data)
  if (json === undefined) {
    json = JSON.stringify(data)
    jsonOf.set(data, json)
  }
  return json
}

/** Data parsed from its JSON, remembering that JSON for `dataJson`. */
export function parseData(json: string): Record<string, unknown> {
  const data = JSON.parse(json) as Record<string, unknown>
  if (data !== null && typeof data === 'object') jsonOf.set(data, json)
  return data
}

/** A resource as JSON (what an event carries), its data's JSON reused. */
export function resourceJson(r: ResourceRecord): string {
  const { data, ...rest } = r
  const head = JSON.stringify(rest)
  return head === '{}' ? `{"data":${dataJson(data)}}` : `${head.slice(0, -1)},"data":${dataJson(data)}}`
}
