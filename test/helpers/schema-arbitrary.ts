import fc from 'fast-check'

/** A JSON Schema as TypeBox and @fastify/swagger emit it. */
export type JsonSchema = Record<string, any>

/** Strings a client should never send and a server must survive: control bytes, NUL, odd Unicode, huge. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\r\n', '\u001b[31m', '\ud800', '\uffff', '../../etc/passwd', '%ZZ', '${x}', '__proto__', 'constructor', "'; drop table resources; --"),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
)

/** Any JSON value at all, shaped or not. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e308, -1e308, 5e-324, 2 ** 53, -(2 ** 53)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'prototype')), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
)

function variants(s: JsonSchema): JsonSchema[] {
  if (Array.isArray(s['anyOf'])) return s['anyOf']
  if (Array.isArray(s['oneOf'])) return s['oneOf']
  return [s]
}

/** Values that fit `s` as far as types, sizes and ranges go (patterns and formats are not honoured). */
export function validOf(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const options = variants(s)
  if (options.length > 1) return fc.oneof(...options.map((o) => validOf(o, depth)))
  if ('const' in s) return fc.constant(s['const'])
  if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]))
  const type = Array.isArray(s['type']) ? s['type'][0] : s['type']
  const nullable = s['nullable'] === true ? [fc.constant(null)] : []
  switch (type) {
    case 'string':
      return fc.oneof(fc.string({ minLength: s['minLength'] ?? 0, maxLength: Math.min(s['maxLength'] ?? 20, 20) }), ...nullable)
    case 'integer':
      return fc.oneof(fc.integer({ min: Math.max(s['minimum'] ?? -1_000, -1e9), max: Math.min(s['maximum'] ?? 1_000, 1e9) }), ...nullable)
    case 'number':
      return fc.oneof(fc.double({ min: s['minimum'] ?? -1_000, max: s['maximum'] ?? 1_000, noNaN: true }), ...nullable)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      if (depth > 3) return fc.constant([])
      return fc.array(validOf(s['items'] ?? {}, depth + 1), { minLength: s['minItems'] ?? 0, maxLength: Math.min(s['maxItems'] ?? 3, 3) })
    case 'object': {
      if (depth > 3) return fc.constant({})
      const props: Record<string, JsonSchema> = s['properties'] ?? {}
      const required = new Set<string>(s['required'] ?? [])
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, v] of Object.entries(props)) model[k] = validOf(v, depth + 1)
      const obj = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) })
      return fc.oneof(obj, ...nullable)
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** Values that break `s` in one place: a wrong type, out of range, too long, a missing or an extra field, nasty text. */
export function invalidOf(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const type = Array.isArray(s['type']) ? s['type'][0] : s['type']
  const wrongType = anyJson
  if (type === 'object' && s['properties'] && depth < 3) {
    const props: Record<string, JsonSchema> = s['properties']
    const keys = Object.keys(props)
    const base = validOf(s, depth) as fc.Arbitrary<Record<string, unknown> | null>
    const broken: Array<fc.Arbitrary<unknown>> = [
      // One field replaced by something invalid for it.
      fc.tuple(base, fc.constantFrom(...keys), fc.nat()).chain(([b, k]) => invalidOf(props[k]!, depth + 1).map((v) => ({ ...(b ?? {}), [k]: v }))),
      // An extra field.
      fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), anyJson).map(([b, k, v]) => ({ ...(b ?? {}), [k in props ? `${k}_x` : k]: v })),
    ]
    const required: string[] = s['required'] ?? []
    if (required.length) broken.push(fc.tuple(base, fc.constantFrom(...required)).map(([b, k]) => Object.fromEntries(Object.entries(b ?? {}).filter(([key]) => key !== k))))
    return fc.oneof(...broken, wrongType)
  }
  if (type === 'string') {
    const tooLong = s['maxLength'] !== undefined ? [fc.constant('y'.repeat(s['maxLength'] + 1))] : []
    return fc.oneof(nastyString, wrongType, ...tooLong)
  }
  if (type === 'integer' || type === 'number') {
    const out = [
      ...(s['minimum'] !== undefined ? [fc.constant(s['minimum'] - 1), fc.constant(-1e308)] : []),
      ...(s['maximum'] !== undefined ? [fc.constant(s['maximum'] + 1), fc.constant(1e308)] : []),
      ...(type === 'integer' ? [fc.constant(1.5)] : []),
    ]
    return fc.oneof(wrongType, ...out)
  }
  if (type === 'array' && depth < 3) {
    return fc.oneof(wrongType, fc.array(invalidOf(s['items'] ?? {}, depth + 1), { minLength: 1, maxLength: 3 }), ...(s['maxItems'] !== undefined ? [fc.constant(Array.from({ length: s['maxItems'] + 1 }, () => null))] : []))
  }
  return wrongType
}
