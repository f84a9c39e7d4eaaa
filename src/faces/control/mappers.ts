import type { Static } from 'typebox'
import type { Clock } from '../../clock/clock.js'
import { SystemClock } from '../../clock/system-clock.js'
import { ValidationError } from '../../engine/errors.js'
import type { Fault, FaultRule } from '../../engine/faults.js'
import type { KindRegistry } from '../../engine/registry.js'
import type { EventRecord } from '../../store/records.js'
import type * as S from './schemas.js'

/** The engine kind of a rule's `kind` (`vm` -> compute.server); `*` matches every kind. */
export function kindOf(registry: KindRegistry, name: string): string {
  if (name === '*') return '*'
  const def = registry.resolve(name)
  if (!def) throw new ValidationError('kind', `kind: '${name}' is not a kind (use ${registry.aliases().sort().join(', ')} or *)`)
  return def.id
}

/** How the control face names a kind: the native API's singular (`vm`). */
export function kindName(registry: KindRegistry, kind: string): string {
  if (kind === '*') return '*'
  return registry.get(kind).names[0] ?? kind
}

export function faultRuleFromWire(registry: KindRegistry, b: Static<typeof S.FaultRuleBody>): FaultRule {
  const e = b.effect
  return {
    kind: kindOf(registry, b.kind),
    operation: b.operation,
    match: b.match,
    effect: {
      ...(e.error ? { error: e.error } : {}),
      ...(e.latency_ms !== undefined ? { latencyMs: e.latency_ms } : {}),
      ...(e.stuck !== undefined ? { stuck: e.stuck } : {}),
      ...(e.fail_lifecycle !== undefined ? { failLifecycle: e.fail_lifecycle } : {}),
      ...(e.crash_after_ms !== undefined ? { crashAfterMs: e.crash_after_ms } : {}),
    },
    count: b.count,
    rate: b.rate,
  }
}

// NOTE: the engine names effects as its callers write them (latencyMs); the wire says latency_ms.
const EFFECT_WIRE_NAMES: Record<string, string> = { latencyMs: 'latency_ms', failLifecycle: 'fail_lifecycle', crashAfterMs: 'crash_after_ms' }

/** A rule the engine refused, with its field and message in the control face's names. */
export function faultErrorToWire(err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err
  const rename = (text: string) => text.replace(/\b(latencyMs|failLifecycle|crashAfterMs)\b/g, (name) => EFFECT_WIRE_NAMES[name] ?? name)
  return new ValidationError(rename(err.field ?? ''), rename(err.message))
}

export function faultToWire(registry: KindRegistry, f: Fault): Static<typeof S.Fault> {
  const e = f.effect
  return {
    id: f.id,
    kind: kindName(registry, f.kind),
    operation: f.operation,
    match: {
      ...(f.match?.name !== undefined ? { name: f.match.name } : {}),
      ...(f.match?.project !== undefined ? { project: f.match.project } : {}),
      ...(f.match?.scope !== undefined ? { scope: f.match.scope } : {}),
      ...(f.match?.phase !== undefined ? { phase: f.match.phase } : {}),
    },
    effect: {
      ...(e.error ? { error: e.error } : {}),
      ...(e.latencyMs !== undefined ? { latency_ms: e.latencyMs } : {}),
      ...(e.stuck !== undefined ? { stuck: e.stuck } : {}),
      ...(e.failLifecycle !== undefined ? { fail_lifecycle: e.failLifecycle } : {}),
      ...(e.crashAfterMs !== undefined ? { crash_after_ms: e.crashAfterMs } : {}),
    },
    count: f.count ?? null,
    rate: f.rate ?? null,
    remaining: f.remaining,
    matched: f.matched,
    fired: f.fired,
    created_at: new Date(f.createdAt).toISOString(),
  }
}

export function clockToWire(clock: Clock): Static<typeof S.Clock> {
  const now = clock.now()
  return { now: new Date(now).toISOString(), now_ms: now, mode: clock.mode, time_scale: clock instanceof SystemClock ? clock.timeScale : null }
}

/** A state change as the event stream sends it. */
export function eventToWire(registry: KindRegistry, e: EventRecord) {
  return {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    project: e.project,
    kind: kindName(registry, e.kind),
    resource_id: e.resourceId,
    name: e.name,
    type: e.type,
    operation: e.operation,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    version: e.version,
    resource: e.resource && {
      id: e.resource.id,
      kind: kindName(registry, e.resource.kind),
      project: e.resource.project,
      name: e.resource.name,
      status: e.resource.status,
      phase: e.resource.phase,
      parent_id: e.resource.parentId,
      version: e.resource.version,
      data: e.resource.data,
      created_at: new Date(e.resource.createdAt).toISOString(),
      updated_at: new Date(e.resource.updatedAt).toISOString(),
    },
  }
}
