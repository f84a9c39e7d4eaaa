import { Type, type TSchema } from 'typebox'
import { MAX_QUOTA, QUOTA_NAMES, quotaWireName } from '../../engine/quotas.js'
import { LATEST_TIME, MAX_ADVANCE_MS, MAX_LATENCY_MS, MAX_TIME_SCALE, MIN_TIME_SCALE } from '../../clock/bounds.js'
import { PROFILES } from '../../engine/timing.js'
import { PROJECT_ID_PATTERN } from '../../engine/scope.js'

/** The control face's wire schemas (`/_mockcloud/...`, snake_case JSON). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Int = Type.Integer()
const Text = Type.String()
const Json = Type.Unknown()
// NOTE: a project id as every face accepts it, so the shared scope (seeded flavors, images, public network) cannot be named.
const ProjectId = Type.String({ pattern: PROJECT_ID_PATTERN, description: 'A project id (letters, digits, ., _ and -)' })
// NOTE: checked by the engine (parseScope), which names what is wrong with it.
const ScopeKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'A scope: a project id, cluster:NAME (with its namespaces), cluster:NAME/NAMESPACE, pool:NAME or domain:ID',
})

export const FaultEffectBody = Type.Object(
  {
    error: Type.Optional(
      Type.Object(
        { status: Type.Integer({ minimum: 400, maximum: 599 }), message: Type.String({ minLength: 1, maxLength: 1024 }) },
        { additionalProperties: false },
      ),
    ),
    latency_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_LATENCY_MS })),
    stuck: Type.Optional(Type.Boolean()),
    fail_lifecycle: Type.Optional(Type.Boolean()),
    crash_after_ms: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_LATENCY_MS, description: 'The operation goes ahead; this long after, the resource crashes into error (pods)' }),
    ),
  },
  { additionalProperties: false },
)

export const FaultRuleBody = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 64, description: 'vm, volume, container, environment, security-group, floating-ip, dns-record, pool, pod, or *' }),
    operation: Type.String({ minLength: 1, maxLength: 64, description: 'create, delete, or an action (stop, attach...), or *' }),
    match: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Name, with * and ? wildcards' })),
          project: Type.Optional(ProjectId),
          scope: Type.Optional(ScopeKey),
          phase: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'A phase of the operation (vm create: scheduling, networking, block_device_mapping, spawning): the rule fires as a resource enters it and acts there' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    effect: FaultEffectBody,
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Fire on the next N matches (default: every one)' })),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fire on this share of matches (default 1)' })),
  },
  { additionalProperties: false },
)

export const Fault = Type.Object({
  id: Int,
  kind: Text,
  operation: Text,
  match: Type.Object({ name: Type.Optional(Text), project: Type.Optional(Text), scope: Type.Optional(Text), phase: Type.Optional(Text) }),
  effect: Type.Object({
    error: Type.Optional(Type.Object({ status: Int, message: Text })),
    latency_ms: Type.Optional(Int),
    stuck: Type.Optional(Type.Boolean()),
    fail_lifecycle: Type.Optional(Type.Boolean()),
    crash_after_ms: Type.Optional(Int),
  }),
  count: Nullable(Int),
  rate: Nullable(Type.Number()),
  remaining: Nullable(Int),
  matched: Int,
  fired: Int,
  created_at: Text,
})

// NOTE: ids past 2^53 cannot be told apart in JSON, and PostgreSQL refuses those past 2^63: capped, they are a 400, not a 500.
export const FaultIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false })

export const Clock = Type.Object({
  now: Text,
  now_ms: Int,
  mode: Type.String({ description: 'system, scaled or manual' }),
  time_scale: Nullable(Type.Number()),
})
export const AdvanceBody = Type.Object(
  { ms: Type.Integer({ minimum: 0, maximum: MAX_ADVANCE_MS, description: 'Milliseconds to move a manual clock forward (at most 10 years at a time)' }) },
  { additionalProperties: false },
)
export const TimeScaleBody = Type.Object(
  { time_scale: Type.Number({ minimum: MIN_TIME_SCALE, maximum: MAX_TIME_SCALE, description: `Emulated time per real time, ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE}: 0.01 runs a minute in 0.6 s` }) },
  { additionalProperties: false },
)

export const Config = Type.Object({
  profile: Type.String({ description: 'instant, fast or realistic' }),
  timing: Type.Array(Text, { description: 'Overrides, kind.operation.property=value' }),
  time_scale: Nullable(Type.Number()),
  clock: Type.String({ description: 'system, scaled or manual' }),
  seed: Text,
  store: Type.String({ description: 'sqlite or postgres' }),
  runner: Type.String({ description: 'in-process or bullmq' }),
  bus: Type.String({ description: 'in-process or redis' }),
})
export const ConfigBody = Type.Object(
  {
    profile: Type.Optional(Type.Enum(PROFILES)),
    timing: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        maxItems: 200,
        description: 'Replaces every override, e.g. ["vm.create.latency=30s..60s", "volume.create.failureRate=0.1"] (latencies at most 24h, rates 0 to 1); [] clears them',
      }),
    ),
  },
  { additionalProperties: false },
)

export const ResetBody = Nullable(Type.Object({ project: Type.Optional(ProjectId), scope: Type.Optional(ScopeKey) }, { additionalProperties: false }))
export const ResetResult = Type.Object({ removed: Int })

// NOTE: the snapshot's numbers within what both stores hold (PostgreSQL: integer columns
// are 32-bit, ids and times 64-bit; JSON is exact to 2^53), so a bad one is a 400, not a store error.
const INT4_MAX = 2_147_483_647
const Serial = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
// NOTE: times stop at the end of emulated time (a transition pending then is due a latency or two later), so every one is a valid date.
const Time = Type.Integer({ minimum: 0, maximum: LATEST_TIME + 2 * MAX_LATENCY_MS })
const Count = Type.Integer({ minimum: 0, maximum: INT4_MAX })

const ResourceRow = Type.Object(
  {
    seq: Serial,
    id: Type.String({ minLength: 1 }),
    kind: Type.String({ minLength: 1 }),
    project: Type.String({ minLength: 1 }),
    name: Text,
    status: Type.String({ minLength: 1 }),
    // NOTE: optional: snapshots from before phases have none.
    phase: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
    parent_id: Nullable(Text),
    version: Type.Integer({ minimum: 1, maximum: INT4_MAX }),
    data: Type.Record(Type.String(), Json),
    created_at: Time,
    updated_at: Time,
  },
  { additionalProperties: false },
)
const TransitionRow = Type.Object(
  {
    id: Serial,
    resource_id: Text,
    operation: Text,
    due_at: Time,
    expected_version: Type.Integer({ minimum: 1, maximum: INT4_MAX }),
    outcome: Type.Union([Type.Literal('complete'), Type.Literal('fail')]),
    detail: Nullable(Type.Record(Type.String(), Json)),
    created_at: Time,
  },
  { additionalProperties: false },
)
const FaultRow = Type.Object(
  {
    id: Serial,
    kind: Text,
    operation: Text,
    rule: Type.Record(Type.String(), Json),
    remaining: Nullable(Count),
    matched: Count,
    fired: Count,
    created_at: Time,
  },
  { additionalProperties: false },
)

export const SnapshotQuery = Type.Object({ scope: Type.Optional(ScopeKey) }, { additionalProperties: false })

export const Snapshot = Type.Object(
  {
    format: Type.Literal('mockcloud-snapshot'),
    version: Type.Literal(1),
    clock_ms: Time,
    taken_at: Text,
    scope: Type.Optional({ ...ScopeKey, description: "The scope the snapshot holds (with those it holds); loading it replaces that scope's state only. Absent: the whole state" }),
    state: Type.Object(
      {
        resources: Type.Array(ResourceRow),
        transitions: Type.Array(TransitionRow),
        ip_allocations: Type.Array(Type.Object({ pool: Text, address: Text, owner_id: Text }, { additionalProperties: false })),
        refs: Type.Array(Type.Object({ from_id: Text, to_id: Text, relation: Text }, { additionalProperties: false })),
        counters: Type.Array(Type.Object({ key: Text, value: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false })),
        faults: Type.Array(FaultRow),
        id_counter: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
)
export const SnapshotLoaded = Type.Object({ resources: Int, transitions: Int })

export const CallsQuery = Type.Object(
  {
    face: Type.Optional(Type.String({ maxLength: 32 })),
    operation: Type.Optional(Type.String({ maxLength: 128 })),
    method: Type.Optional(Type.String({ maxLength: 16 })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    project: Type.Optional(Type.String({ maxLength: 64 })),
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only calls after this seq' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'The last N matching calls' })),
  },
  { additionalProperties: false },
)
export const Call = Type.Object({
  seq: Int,
  at: Text,
  face: Text,
  operation: Text,
  method: Text,
  path: Text,
  project: Text,
  params: Type.Record(Type.String(), Json),
  query: Type.Record(Type.String(), Json),
  body: Type.Unknown({ description: 'The request body; one longer than 4 KiB is a string of its first bytes ending in …[truncated, N bytes]' }),
  status: Int,
  duration_ms: Type.Number(),
})

const EventNumber = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const EventsQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 64 })),
    scope: Type.Optional({ ...ScopeKey, description: 'Only this scope and those it holds (cluster:dev: the cluster and its namespaces)' }),
    kind: Type.Optional(Type.String({ maxLength: 64 })),
    after: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Replay the events after this number first (on SSE, a Last-Event-ID header does the same); 410 when the history no longer reaches back that far',
      }),
    ),
  },
  { additionalProperties: false },
)

export const EventHistoryQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 64 })),
    scope: Type.Optional({ ...ScopeKey, description: 'Only this scope and those it holds (cluster:dev: the cluster and its namespaces)' }),
    kind: Type.Optional(Type.String({ maxLength: 64 })),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Events after this number (default: from the oldest kept)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
)

export const Event = Type.Object({
  seq: Int,
  at: Text,
  project: Text,
  kind: Type.String({ description: 'vm, volume, container…' }),
  resource_id: Text,
  name: Text,
  type: Type.Union([Type.Literal('created'), Type.Literal('changed'), Type.Literal('deleted')]),
  operation: Nullable(Text),
  from_status: Nullable(Text),
  to_status: Nullable(Text),
  version: Int,
  resource: Nullable(
    Type.Object(
      {
        id: Text,
        kind: Text,
        project: Text,
        name: Text,
        status: Text,
        phase: Nullable(Text),
        parent_id: Nullable(Text),
        version: Int,
        data: Json,
        created_at: Text,
        updated_at: Text,
      },
      { description: 'The resource after the change (before it, for a delete), as the engine holds it' },
    ),
  ),
})

export const EventHistory = Type.Object({
  items: Type.Array(Event),
  last_seq: Type.Integer({ description: 'The number of the latest event: follow on from it with ?after=' }),
  floor: Type.Integer({ description: 'The history holds the events after this number; older ones were pruned (--event-retention)' }),
  next_after: Nullable(EventNumber),
})

export const List = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })

// --- quotas -----------------------------------------------------------------

/** Quota names on the wire: the engine's, in snake_case (floating_ips, security_group_rules). */
const QUOTA_WIRE_NAMES = QUOTA_NAMES.map(quotaWireName)

export const QuotaParams = Type.Object({ project: ProjectId }, { additionalProperties: false })

export const QuotaLimitsBody = Type.Object(
  Object.fromEntries(QUOTA_WIRE_NAMES.map((n) => [n, Type.Optional(Type.Integer({ minimum: -1, maximum: MAX_QUOTA }))])),
  { additionalProperties: false, description: 'Limits to set, by quota; -1 is no limit. Quotas left out keep theirs.' },
)

export const Quotas = Type.Object({
  project: Text,
  quotas: Type.Record(
    Type.String(),
    Type.Object({
      limit: Type.Integer({ description: '-1: no limit' }),
      used: Type.Integer(),
      own: Type.Boolean({ description: "Whether the limit is this project's own (set here), not the deployment's default" }),
    }),
  ),
})
