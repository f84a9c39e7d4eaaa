import { ValidationError } from './errors.js'

/** Where a page ended: the last row's insertion sequence and, in a sorted list, its sort value. */
export interface CursorPosition {
  seq: number
  value?: string | number | undefined
}

/**
 * List cursors are opaque to clients: the base64url of where the last page
 * ended. Unsorted pages follow insertion order, so a resource created while a
 * client pages through a list shows up on a later page, never twice; sorted
 * pages go on after the last row's (value, seq), so a row that moves meanwhile
 * may be seen twice or not at all, as in any API that sorts.
 */
export function encodeCursor(position: number | CursorPosition): string {
  const p = typeof position === 'number' ? { seq: position } : position
  const text = p.value === undefined ? `s${p.seq}` : `v${p.seq}:${JSON.stringify(p.value)}`
  return Buffer.from(text).toString('base64url')
}

/** The position a cursor names; `sorted` says whether the list it is used on is sorted (a cursor fits one kind of list). */
export function decodeCursor(cursor: string, sorted = false): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const plain = /^s(\d{1,15})$/.exec(text)
  const valued = /^v(\d{1,15}):(.{1,1100})$/s.exec(text)
  const bad = () => new ValidationError('cursor', `cursor: '${cursor.slice(0, 80)}' is not a cursor this server issued for this list`)
  if (!sorted) {
    if (!plain) throw bad()
    return { seq: Number(plain[1]) }
  }
  if (!valued) throw bad()
  let value: unknown
  try {
    value = JSON.parse(valued[2]!)
  } catch {
    throw bad()
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw bad()
  return { seq: Number(valued[1]), value }
}
