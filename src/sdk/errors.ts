import type { Pod } from './pool-types.js'
import type { Container, Instance, Volume } from './types.js'

/**
 * The SDK's errors. Every rejection of an `InfraClient` call is a
 * `MockcloudError` (or, for an aborted wait, the signal's reason), so callers
 * can branch on the class or on `status` / `code`.
 *
 * `status` is the HTTP status the server answered. It is 0 when no answer
 * was involved: the server could not be reached (`NetworkError`, the
 * original error as `cause`), a wait ran out (`WaitTimeoutError`), or a wait
 * saw the resource fail (`ResourceErrorStateError`).
 */

/** Codes of errors the SDK raises itself, for answers that are not the server's. */
export const SDK_ERR_NETWORK = 'SDK_ERR_NETWORK'
export const SDK_ERR_BAD_RESPONSE = 'SDK_ERR_BAD_RESPONSE'
export const SDK_ERR_WAIT_TIMEOUT = 'SDK_ERR_WAIT_TIMEOUT'
export const SDK_ERR_RESOURCE_ERROR = 'SDK_ERR_RESOURCE_ERROR'
export const SDK_ERR_CLOSED = 'SDK_ERR_CLOSED'
/** The wire code of an error a fault rule injected (any status). */
export const EMU_ERR_INJECTED = 'EMU_ERR_INJECTED'

export interface MockcloudErrorDetails {
  /** HTTP status; 0 when no HTTP answer was involved. */
  status: number
  /** The wire code (`EMU_ERR_NOT_FOUND`) or one of the SDK_ERR_* codes. */
  code: string
  /** The request field at fault, in the SDK's camelCase (`sizeGb`), else null. */
  field?: string | null
  /** The field as the server named it (`size_gb`), else null. */
  wireField?: string | null
  cause?: unknown
}

/**
 * Base of every SDK error.
 *
 * @example
 * try { await client.getInstance('nope') } catch (e) {
 *   if (e instanceof MockcloudError && e.status === 404) …
 * }
 */
export class MockcloudError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string | null
  readonly wireField: string | null

  constructor(message: string, details: MockcloudErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = new.target.name
    this.status = details.status
    this.code = details.code
    this.field = details.field ?? null
    this.wireField = details.wireField ?? details.field ?? null
  }
}

/** 404: the id does not exist, or belongs to another tenant. */
export class NotFoundError extends MockcloudError {}

/** 409: the request clashes with the resource's state (in use, already attached, wrong status). */
export class ConflictError extends MockcloudError {}

/** 400: bad input; `field` names the request field at fault. */
export class ValidationError extends MockcloudError {}

/** 401: the server wants a (different) API key. */
export class UnauthorizedError extends MockcloudError {}

/** 403: the key was understood but does not open this resource (another pool's key). */
export class ForbiddenError extends MockcloudError {}

/** A fault rule set up by the test answered instead of the emulator (wire code EMU_ERR_INJECTED, any status). */
export class InjectedFaultError extends MockcloudError {}

/** The server could not be reached, or the connection broke; `cause` is the original error. */
export class NetworkError extends MockcloudError {
  constructor(message: string, cause: unknown) {
    super(message, { status: 0, code: SDK_ERR_NETWORK, cause })
  }
}

/** A waitFor… call ran out of time. `lastStatus` is what the resource last reported (undefined if never seen). */
export class WaitTimeoutError extends MockcloudError {
  constructor(
    message: string,
    readonly lastStatus: string | undefined,
  ) {
    super(message, { status: 0, code: SDK_ERR_WAIT_TIMEOUT })
  }
}

/**
 * A waitFor… call saw the resource enter `error` (its build or operation
 * failed). `resource` is the resource as last read; its `error` says why.
 */
export class ResourceErrorStateError extends MockcloudError {
  constructor(
    message: string,
    readonly resourceKind: 'instance' | 'volume' | 'container' | 'pod',
    readonly resource: Instance | Volume | Container | Pod,
  ) {
    super(message, { status: 0, code: SDK_ERR_RESOURCE_ERROR })
  }
}

interface WireErrorBody {
  error: { status?: unknown; code?: unknown; message?: unknown; field?: unknown }
}

function isWireErrorBody(body: unknown): body is WireErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'object' && (body as { error: unknown }).error !== null
}

/**
 * Maps a server answer (status + parsed body `{error: {status, code, message, field}}`)
 * to the matching MockcloudError subclass. An injected fault wins over the
 * status; a body that is not the native error format still gives an error
 * of the right class, with code SDK_ERR_BAD_RESPONSE.
 *
 * `renameField` turns the wire's field name into the SDK's (`size_gb` -> `sizeGb`).
 *
 * @example
 * errorFromResponse(404, { error: { status: 404, code: 'EMU_ERR_NOT_FOUND', message: 'VM x not found', field: null } })
 * // NotFoundError { status: 404, code: 'EMU_ERR_NOT_FOUND' }
 */
export function errorFromResponse(status: number, body: unknown, renameField: (wire: string) => string = (f) => f): MockcloudError {
  return errorFromWire(status, isWireErrorBody(body) ? body.error : undefined, body, renameField)
}

/** What a face's error body says, whatever its shape: the code, message and field at fault. */
export interface WireError {
  code?: unknown
  message?: unknown
  field?: unknown
}

/**
 * The MockcloudError of an answer whose error body a client has already
 * unpacked (each face wraps it its own way); `body` is only quoted when
 * `wire` is missing.
 */
export function errorFromWire(status: number, wire: WireError | undefined, body: unknown, renameField: (wire: string) => string = (f) => f): MockcloudError {
  const code = typeof wire?.code === 'string' ? wire.code : SDK_ERR_BAD_RESPONSE
  const message =
    typeof wire?.message === 'string' ? wire.message : `unexpected answer ${status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`
  const wireField = typeof wire?.field === 'string' ? wire.field : null
  const details: MockcloudErrorDetails = { status, code, wireField, field: wireField === null ? null : renameField(wireField) }
  if (code === EMU_ERR_INJECTED) return new InjectedFaultError(message, details)
  switch (status) {
    case 400:
      return new ValidationError(message, details)
    case 401:
      return new UnauthorizedError(message, details)
    case 403:
      return new ForbiddenError(message, details)
    case 404:
      return new NotFoundError(message, details)
    case 409:
      return new ConflictError(message, details)
    default:
      return new MockcloudError(message, details)
  }
}
