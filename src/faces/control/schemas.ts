import { Type, type TSchema } from 'typebox'

/** The control face's wire schemas (`/_mockcloud/...`, snake_case JSON). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Int = Type.Integer()
const Text = Type.String()
const Json = Type.Unknown()

export const FaultEffectBody = Type.Object(
  {
    error: Type.Optional(
      Type.Object(
        { status: Type.Integer({ minimum: 400, maximum: 599 }), message: Type.String({ minLength: 1, maxLength: 1024 }) },
        { additionalProperties: false },
      ),
    ),
    latency_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000 })),
    stuck: Type.Optional(Type.Boolean()),
    fail_lifecycle: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const FaultRuleBody = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 64, description: 'vm, volume, container, environment, security-group, floating-ip, dns-record, or *' }),
    operation: Type.String({ minLength: 1, maxLength: 64, description: 'create, delete, or an action (stop, attach...), or *' }),
    match: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Name, with * and ? wildcards' })), project: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
        { additionalProperties: false },
      ),
    ),
    effect: FaultEffectBody,
    count: Type.Optional(Type.Integer({ minimum: 1, description: 'Fire on the next N matches (default: every one)' })),
    rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'Fire on this share of matches (default 1)' })),
  },
  { additionalProperties: false },
)

export const Fault = Type.Object({
  id: Int,
  kind: Text,
  operation: Text,
  match: Type.Object({ name: Type.Optional(Text), project: Type.Optional(Text) }),
  effect: Type.Object({
    error: Type.Optional(Type.Object({ status: Int, message: Text })),
    latency_ms: Type.Optional(Int),
    stuck: Type.Optional(Type.Boolean()),
    fail_lifecycle: Type.Optional(Type.Boolean()),
  }),
  count: Nullable(Int),
  rate: Nullable(Type.Number()),
  remaining: Nullable(Int),
  matched: Int,
  fired: Int,
  created_at: Text,
})

export const FaultIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })

export const Clock = Type.Object({
  now: Text,
  now_ms: Int,
  mode: Type.String({ description: 'system, scaled or manual' }),
  time_scale: Nullable(Type.Number()),
})
export const AdvanceBody = Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 315_360_000_000, description: 'Milliseconds to move a manual clock forward' }) }, { additionalProperties: false })
export const TimeScaleBody = Type.Object({ time_scale: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: '0.01 runs a minute in 0.6 s' }) }, { additionalProperties: false })

export const ResetBody = Nullable(Type.Object({ project: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }))
export const ResetResult = Type.Object({ removed: Int })

const ResourceRow = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    id: Type.String({ minLength: 1 }),
    kind: Type.String({ minLength: 1 }),
    project: Type.String({ minLength: 1 }),
    name: Text,
    status: Type.String({ minLength: 1 }),
    parent_id: Nullable(Text),
    version: Type.Integer({ minimum: 1 }),
    data: Type.Record(Type.String(), Json),
    created_at: Int,
    updated_at: Int,
  },
  { additionalProperties: false },
)
const TransitionRow = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    resource_id: Text,
    operation: Text,
    due_at: Int,
    expected_version: Int,
    outcome: Type.Union([Type.Literal('complete'), Type.Literal('fail')]),
    detail: Nullable(Type.Record(Type.String(), Json)),
    created_at: Int,
  },
  { additionalProperties: false },
)
const FaultRow = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    kind: Text,
    operation: Text,
    rule: Type.Record(Type.String(), Json),
    remaining: Nullable(Int),
    matched: Int,
    fired: Int,
    created_at: Int,
  },
  { additionalProperties: false },
)

export const Snapshot = Type.Object(
  {
    format: Type.Literal('mockcloud-snapshot'),
    version: Type.Literal(1),
    clock_ms: Int,
    taken_at: Text,
    state: Type.Object(
      {
        resources: Type.Array(ResourceRow),
        transitions: Type.Array(TransitionRow),
        ip_allocations: Type.Array(Type.Object({ pool: Text, address: Text, owner_id: Text }, { additionalProperties: false })),
        refs: Type.Array(Type.Object({ from_id: Text, to_id: Text, relation: Text }, { additionalProperties: false })),
        counters: Type.Array(Type.Object({ key: Text, value: Int }, { additionalProperties: false })),
        faults: Type.Array(FaultRow),
        id_counter: Type.Integer({ minimum: 0 }),
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
  body: Json,
  status: Int,
  duration_ms: Type.Number(),
})

export const EventsQuery = Type.Object(
  { project: Type.Optional(Type.String({ maxLength: 64 })), kind: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
)

export const List = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })
