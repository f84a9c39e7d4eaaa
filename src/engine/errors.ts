/**
 * The engine's errors. Each carries the HTTP status a face should answer with
 * and, for bad input, the engine-side name of the field at fault; faces
 * translate both into their own wire format.
 */
export const EMU_ERR_NOT_FOUND = 'EMU_ERR_NOT_FOUND'
export const EMU_ERR_VALIDATION = 'EMU_ERR_VALIDATION'
export const EMU_ERR_CONFLICT = 'EMU_ERR_CONFLICT'
export const EMU_ERR_INVALID_STATE = 'EMU_ERR_INVALID_STATE'
export const EMU_ERR_EXHAUSTED = 'EMU_ERR_EXHAUSTED'
/** A create that would take its scope past a quota. */
export const EMU_ERR_QUOTA_EXCEEDED = 'EMU_ERR_QUOTA_EXCEEDED'
/** A replay from an event number the history no longer holds (Kubernetes: 410 Gone, "too old resource version"). */
export const EMU_ERR_GONE = 'EMU_ERR_GONE'
/** An error a fault rule asked for (the control face's `/_mockcloud/faults`). */
export const EMU_ERR_INJECTED = 'EMU_ERR_INJECTED'
/** No credentials, or credentials the identity does not accept (Keystone 401). */
export const EMU_ERR_UNAUTHORIZED = 'EMU_ERR_UNAUTHORIZED'
/** Credentials the identity accepts, for something they do not grant (Keystone 403). */
export const EMU_ERR_FORBIDDEN = 'EMU_ERR_FORBIDDEN'

export type EngineErrorCode =
  | typeof EMU_ERR_NOT_FOUND
  | typeof EMU_ERR_VALIDATION
  | typeof EMU_ERR_CONFLICT
  | typeof EMU_ERR_INVALID_STATE
  | typeof EMU_ERR_EXHAUSTED
  | typeof EMU_ERR_INJECTED
  | typeof EMU_ERR_GONE
  | typeof EMU_ERR_QUOTA_EXCEEDED
  | typeof EMU_ERR_UNAUTHORIZED
  | typeof EMU_ERR_FORBIDDEN

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    readonly status: number,
    message: string,
    /** The engine's name of the input field at fault (camelCase), if one is. */
    readonly field?: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }
}

/** An id that does not exist, or that the caller's project may not see. */
export class NotFoundError extends EngineError {
  constructor(label: string, id: string) {
    super(EMU_ERR_NOT_FOUND, 404, `${label} ${id} not found`)
  }
}

/** Input that is well-formed JSON but wrong: names the field. */
export class ValidationError extends EngineError {
  constructor(field: string, message: string) {
    super(EMU_ERR_VALIDATION, 400, message, field)
  }
}

/** A request that clashes with the current state (in use, already attached...). */
export class ConflictError extends EngineError {
  constructor(message: string, code: typeof EMU_ERR_CONFLICT | typeof EMU_ERR_INVALID_STATE | typeof EMU_ERR_EXHAUSTED | typeof EMU_ERR_QUOTA_EXCEEDED = EMU_ERR_CONFLICT) {
    super(code, 409, message)
  }
}

/** Events after `afterSeq` were asked for, but the history now starts after `floor`: read the state again, then follow from its number. */
export class HistoryExpiredError extends EngineError {
  constructor(
    readonly afterSeq: number,
    readonly floor: number,
  ) {
    super(EMU_ERR_GONE, 410, `after: event ${afterSeq} is too old; the history now starts after event ${floor} (list again, then follow from the number it gives)`, 'after')
  }
}

/** A change made against a version that is no longer current: someone changed the resource since the caller read it. */
export class StaleVersionError extends ConflictError {
  constructor(
    label: string,
    id: string,
    readonly current: number,
    readonly expected: number,
  ) {
    super(`${label} ${id} is at version ${current}, not ${expected}: it changed since it was read; read it again and retry`)
  }
}

/**
 * Who the caller is could not be established: no credentials, a wrong
 * password, an unknown user, an expired or revoked token. The message says
 * which, as Keystone's does not for passwords (it never tells a missing user
 * from a wrong password), so: one message for both.
 */
export class UnauthorizedError extends EngineError {
  constructor(message: string) {
    super(EMU_ERR_UNAUTHORIZED, 401, message)
  }
}

/** The caller is known, and what they asked for is not theirs to have. */
export class ForbiddenError extends EngineError {
  constructor(message: string) {
    super(EMU_ERR_FORBIDDEN, 403, message)
  }
}
