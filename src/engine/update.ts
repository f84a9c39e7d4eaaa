import type { ResourceRecord } from '../store/records.js'
import { labelOf, type KindDef } from './define-kind.js'
import type { EngineTx } from './engine-tx.js'
import { ConflictError, StaleVersionError, ValidationError } from './errors.js'
import { SHARED_PROJECT } from './scope.js'

/** A change asked of `engine.update`: a new name, new values of data fields, and the version the caller last read. */
export interface UpdateChange {
  name?: string | undefined
  data?: Record<string, unknown> | undefined
  /** The version the caller last read; a resource changed since is a ConflictError (Kubernetes' stale resourceVersion). */
  expectedVersion?: number | undefined
}

/** Names the engine keeps (as the faces' own schemas do): printable, at most 255 characters. */
const MAX_NAME = 255

/**
 * The update verb inside a transaction: checks the expected version, what the
 * kind lets change and its data schema, runs the kind's own rules, and writes
 * the change with its event (operation `update`). A change that changes
 * nothing writes nothing and returns the resource as it was.
 */
export async function applyUpdate(tx: EngineTx, def: KindDef, res: ResourceRecord, change: UpdateChange): Promise<ResourceRecord> {
  const label = labelOf(def)
  if (res.project === SHARED_PROJECT) throw new ConflictError(`${label} ${res.id} is shared and cannot be changed`)
  if (change.expectedVersion !== undefined && change.expectedVersion !== res.version) {
    throw new StaleVersionError(label, res.id, res.version, change.expectedVersion)
  }
  const name = change.name ?? res.name
  if (change.name !== undefined) {
    if (def.updatable?.name === false && change.name !== res.name) throw new ValidationError('name', `name: a ${label}'s name cannot be changed`)
    if (change.name.length > MAX_NAME) throw new ValidationError('name', `name: at most ${MAX_NAME} characters, not ${change.name.length}`)
    // NOTE: PostgreSQL cannot store NUL in text; every face refuses it as bad input.
    if (change.name.includes('\u0000')) throw new ValidationError('name', 'name: must not contain NUL characters')
  }
  const allowed = new Set(def.updatable?.data ?? [])
  for (const key of Object.keys(change.data ?? {})) {
    if (!allowed.has(key)) throw new ValidationError(key, `${key}: cannot be changed on a ${label}` + (allowed.size ? ` (what can: ${[...allowed].join(', ')})` : ''))
  }
  const data = { ...res.data, ...change.data }
  // NOTE: loaded on the first update: the schema checker is not needed to start.
  const { checkKindData } = await import('./data-check.js')
  checkKindData(def, data, '')
  if (name === res.name && !Object.keys(change.data ?? {}).some((k) => !sameJson(res.data[k], data[k]))) return res
  if (name !== res.name) await tx.checkNameFree(def.id, res.project, name, res.id)
  await def.hooks.beforeUpdate?.(tx, res as ResourceRecord<never>, { name, data: data as never })
  return tx.write(res, { name, data: change.data }, 'update')
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
