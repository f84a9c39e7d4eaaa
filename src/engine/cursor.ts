import { ValidationError } from './errors.js'

/**
 * List cursors are opaque to clients: the base64url of the last insertion
 * sequence a page showed. Pages follow insertion order, so a resource created
 * while a client pages through a list shows up on a later page, never twice.
 */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url')
}

export function decodeCursor(cursor: string): number {
  const m = /^s(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'))
  if (!m) throw new ValidationError('cursor', `cursor: '${cursor}' is not a cursor this server issued`)
  return Number(m[1])
}
