import { Value } from 'typebox/value'
import type { KindDef } from './define-kind.js'
import { ValidationError } from './errors.js'

/**
 * Checks `data` against its kind's declared schema; a mismatch is a
 * ValidationError naming the first wrong field under `field` (e.g.
 * `state.resources[0].data.description`; `description` when `field` is
 * empty). Used by snapshot loads and updates.
 */
export function checkKindData(def: Pick<KindDef, 'id' | 'data'>, data: unknown, field: string): void {
  if (Value.Check(def.data, data)) return
  const [first] = Value.Errors(def.data, data)
  const at = `${field}${pathOf(first?.instancePath ?? '')}`.replace(/^\./, '')
  throw new ValidationError(at, `${at}: ${first?.message ?? 'does not match'} (${def.id} data)`)
}

/** `/a/0/b` (a JSON pointer) as `.a[0].b`. */
function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
}
