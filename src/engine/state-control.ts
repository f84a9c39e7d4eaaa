import { deleteScopeState, dumpState, loadScopedState, loadState, type StateDump } from '../store/state-dump.js'
import { scopeLock, type Engine } from './engine.js'
import { ValidationError } from './errors.js'
import { checkStateDump, isConstraintError } from './snapshot-check.js'
import type { EngineTx } from './engine-tx.js'
import { DOMAIN_SCOPE_PREFIX, parseScope, scopeChain, SHARED_PROJECT } from './scope.js'

export const SNAPSHOT_FORMAT = 'mockcloud-snapshot'
export const SNAPSHOT_VERSION = 1

/** The whole state of a mockcloud, pending transitions included, as JSON. */
export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT
  version: typeof SNAPSHOT_VERSION
  /** The emulated time it was taken at (ms since the epoch); transitions are due relative to it. */
  clock_ms: number
  taken_at: string
  /** The scope it holds (with the scopes that one holds); absent for the whole state. */
  scope?: string | undefined
  state: StateDump
}

/**
 * Forgets every resource, with what they held (addresses, attachments,
 * pending transitions): of one scope and those it holds (a project, a
 * cluster with its namespaces, a pool, an identity domain), or of all. The
 * seeded defaults (flavors, images, the public network) stay, and so does
 * identity (domains, users, projects, keys, tokens): a full reset clears the
 * cloud, not its accounts. A reset of a domain brings back the seeded users
 * and projects, and those the server was started with. A full reset also removes the
 * fault rules and every scope's own quota limits, and starts the event
 * history over; a scope's reset records each removal as a `deleted` event
 * (operation `reset`), so watchers see the resources go. Returns how many went.
 */
export async function resetState(engine: Engine, opts: { scope?: string | undefined } = {}): Promise<number> {
  const scope = opts.scope
  if (scope === SHARED_PROJECT) throw new ValidationError('scope', 'scope: the shared scope (seeded flavors, images, the public network) is kept by every reset')
  if (scope === undefined) {
    return engine.store.transaction(async (q) => {
      const removed = await deleteScopeState(q, { except: SHARED_PROJECT, exceptPrefixes: [DOMAIN_SCOPE_PREFIX] })
      // NOTE: a full reset goes back to the default limits, as it drops fault rules.
      await q.clearFaults()
      await q.clearQuotas()
      return removed
    })
  }
  parseScope(scope)
  const { value } = await engine.transaction(async (tx) => {
    await lockScope(tx, scope)
    const going = await tx.q.resourcesWithin(scope)
    const removed = await deleteScopeState(tx.q, { within: scope })
    for (const res of going) tx.recordRemoved(res, 'reset')
    if (scope.startsWith(DOMAIN_SCOPE_PREFIX)) await engine.identity.restore(tx)
    // NOTE: a scope keeps the limits a test gave it; what it uses is counted again.
    await tx.q.forgetQuotaUsage(scope)
    return removed
  })
  return value
}

/**
 * Holds a scope alone for a reset or a load: the scopes holding it shared,
 * outermost first, as every change does, then its own exclusively; every
 * change in it, or in one it holds, takes its key shared first, and a reset
 * of a scope holding it waits too.
 */
async function lockScope(tx: EngineTx, scope: string): Promise<void> {
  const chain = scopeChain(scope)
  for (const outer of chain.slice(0, -1)) await tx.lock(scopeLock(outer), 'shared')
  await tx.lock(scopeLock(scope))
}

/** Takes a consistent snapshot (one transaction) of the whole state, or of one scope and those it holds. */
export async function exportSnapshot(engine: Engine, opts: { scope?: string | undefined } = {}): Promise<Snapshot> {
  const scope = opts.scope
  if (scope !== undefined) parseScope(scope)
  const state = await engine.store.transaction((q) => dumpState(q, scope))
  const now = engine.clock.now()
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, clock_ms: now, taken_at: new Date(now).toISOString(), ...(scope === undefined ? {} : { scope }), state }
}

/**
 * Replaces the whole state with a snapshot. Pending transitions keep the time
 * they had left when it was taken (a build 20 s from done is still 20 s from
 * done), and go to this server's runner. A snapshot that contradicts itself
 * is refused (ValidationError) and nothing changes.
 */
export async function importSnapshot(engine: Engine, snapshot: Snapshot): Promise<{ resources: number; transitions: number }> {
  const scope = snapshot.scope
  if (scope !== undefined) parseScope(scope)
  if (scope === SHARED_PROJECT) throw new ValidationError('scope', 'scope: the shared scope (seeded flavors, images, the public network) is not loaded from a snapshot')
  checkStateDump(engine.registry, snapshot.state, scope)
  const shift = engine.clock.now() - snapshot.clock_ms
  const state: StateDump = { ...snapshot.state, transitions: snapshot.state.transitions.map((t) => ({ ...t, due_at: t.due_at + shift })) }
  const { value } = await engine
    .transaction(async (tx) => {
      if (scope === undefined) {
        await loadState(tx.q, state)
        for (const t of state.transitions) tx.scheduled.push({ id: t.id, dueAt: t.due_at })
        for (const row of state.resources) {
          const onLoaded = engine.registry.get(row.kind).hooks.onLoaded
          const res = onLoaded && (await tx.q.getResource(row.id))
          if (res) await onLoaded(tx, res)
        }
        // NOTE: a snapshot from before identity, without its defaults, or without this server's own key: nobody could sign in.
        await engine.identity.restore(tx)
      } else {
        // NOTE: one scope in place of its current state; the rest of the cloud, and its history, go on. Watchers see it as removals and creations.
        await lockScope(tx, scope)
        for (const res of await tx.q.resourcesWithin(scope)) tx.recordRemoved(res, 'snapshot')
        tx.scheduled.push(...(await loadScopedState(tx.q, scope, state)))
        for (const res of await tx.q.resourcesWithin(scope)) {
          await tx.recordLoaded(res)
          await engine.registry.get(res.kind).hooks.onLoaded?.(tx, res)
        }
        await tx.q.forgetQuotaUsage(scope)
        if (scope.startsWith(DOMAIN_SCOPE_PREFIX)) await engine.identity.restore(tx)
      }
      return { resources: state.resources.length, transitions: state.transitions.length }
    })
    .catch((err: unknown) => {
      // NOTE: the checks above should leave nothing for the store to refuse; if it does, it is still the snapshot's fault.
      if (isConstraintError(err)) throw new ValidationError('state', `state: the store refused a row of the snapshot (${(err as Error).message})`)
      throw err
    })
  return value
}
