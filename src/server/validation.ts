import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'
import fastJsonStringify from 'fast-json-stringify'

/**
 * Request validation for every face. Bodies are checked strictly: no type
 * coercion (`"name": 123` is an error, not `"123"`) and no silently dropped
 * fields (an unknown field is an error naming it). Query strings, path
 * parameters and headers arrive as text, so those coerce.
 */
const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false })
const coercing = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false })

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing
  const validate = compiledOnFirstUse(() => ajv.compile(schema as object) as ValidateFunction)
  return httpPart === 'body' || httpPart === 'querystring' ? refusingNul(validate) : validate
}

// NOTE: truthy, so Fastify passes the parent data (as it does to any ajv function) and root defaults still apply.
const LAZY_SCHEMA_ENV = {} as ValidateFunction['schemaEnv']

/**
 * Compiling every route's schemas was most of start-up (ajv: about a third of
 * a second), and most routes of a test's server are never called: each is
 * compiled when its route is first asked to validate, once per process (ajv
 * caches by schema object).
 */
function compiledOnFirstUse(compile: () => ValidateFunction): ValidateFunction {
  let validate: ValidateFunction | undefined
  const wrapped = ((data: unknown, ctx?: never) => {
    validate ??= compile()
    const ok = validate(data, ctx)
    wrapped.errors = validate.errors
    return ok
  }) as ValidateFunction
  wrapped.schemaEnv = LAZY_SCHEMA_ENV
  return wrapped
}

/**
 * A validator that also refuses a NUL character (U+0000) in any string or key
 * of a body or query, naming where: PostgreSQL text cannot hold one, so it
 * would be a 500 there and a stored value on SQLite. Path parameters and
 * headers have patterns that already refuse it.
 */
function refusingNul(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown, ctx?: never) => {
    if (!validate(data, ctx)) {
      wrapped.errors = validate.errors
      return false
    }
    const at = pathWhere(data, hasNul)
    if (at === undefined) return true
    wrapped.errors = [inputError(at, 'must not contain a NUL character (\\u0000); remove it')]
    return false
  }) as ValidateFunction
  // NOTE: Fastify passes the parent data (so ajv can set root defaults) only to a function with a schemaEnv.
  wrapped.schemaEnv = validate.schemaEnv
  return wrapped
}

const hasNul = (key: string | undefined, value: unknown) => key?.includes('\0') || (typeof value === 'string' && value.includes('\0'))

/** A validation failure found outside ajv, in ajv's form, so describeValidationError names its field. */
export function inputError(instancePath: string, message: string): ErrorObject {
  return { keyword: 'input', instancePath, schemaPath: '', params: {}, message }
}

/**
 * The JSON pointer (`/rules/0/name`) to the first key or value inside parsed
 * JSON for which `bad(key, value)` holds (the root has no key), or undefined.
 */
export function pathWhere(value: unknown, bad: (key: string | undefined, value: unknown) => boolean, key?: string): string | undefined {
  if (bad(key, value)) return ''
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = pathWhere(value[i], bad)
      if (at !== undefined) return `/${i}${at}`
    }
    return undefined
  }
  for (const k of Object.keys(value)) {
    const at = pathWhere((value as Record<string, unknown>)[k], bad, k)
    if (at !== undefined) return `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}${at}`
  }
  return undefined
}

/** One validation failure, as a field path (`rules[2].port_range_min`) and a sentence. */
export interface FieldError {
  field: string
  message: string
}

/**
 * Turns ajv's first error into a field path and a message that names it.
 * `prefix` is the part of the request (`body`, `querystring`...), used only
 * when the error is about the part as a whole.
 */
export function describeValidationError(errors: readonly ErrorObject[], part: string): FieldError {
  const e = errors[0]
  if (!e) return { field: part, message: `${part}: invalid` }
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const params = e.params as Record<string, unknown>
  let message = e.message ?? 'is invalid'
  if (e.keyword === 'required') {
    segments.push(String(params['missingProperty']))
    message = 'is required'
  } else if (e.keyword === 'additionalProperties') {
    segments.push(String(params['additionalProperty']))
    message = 'is not a known field'
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
  } else if (e.keyword === 'type' && e.instancePath === '' && part === 'body') {
    return { field: 'body', message: `body: must be a JSON ${String(params['type'])}` }
  }
  const field = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '') || part
  return { field, message: `${field}: ${message}` }
}

const serializers = new WeakMap<object, (data: unknown) => string>()

/**
 * Response serialisation through fast-json-stringify (as Fastify does by
 * default), compiled once per schema object for the whole process rather
 * than once per app (tests build many apps, and compiling is most of the
 * cost of building one), and only when first used.
 */
export const serializerCompiler = ({ schema }: { schema: unknown }): ((data: unknown) => string) => {
  const key = schema as object
  let fn = serializers.get(key)
  if (!fn) {
    // NOTE: built on first use, like the validators: start-up pays only for what is answered.
    let built: ((data: unknown) => string) | undefined
    fn = (data) => (built ??= fastJsonStringify(key as Parameters<typeof fastJsonStringify>[0]) as (data: unknown) => string)(data)
    serializers.set(key, fn)
  }
  return fn
}
