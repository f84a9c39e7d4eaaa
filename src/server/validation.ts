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
  return ajv.compile(schema as object) as ValidateFunction
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
 * than once per app: tests build many apps, and compiling is most of the
 * cost of building one.
 */
export const serializerCompiler = ({ schema }: { schema: unknown }): ((data: unknown) => string) => {
  const key = schema as object
  let fn = serializers.get(key)
  if (!fn) {
    fn = fastJsonStringify(key as Parameters<typeof fastJsonStringify>[0]) as (data: unknown) => string
    serializers.set(key, fn)
  }
  return fn
}
