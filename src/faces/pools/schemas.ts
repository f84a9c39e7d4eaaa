import { Type } from 'typebox'

/**
 * The pool manager's wire schemas (seed 004): camelCase workspace fields as
 * the seed prints them (`poolName`, `claimedBy`, `portMappings`), snake_case
 * where it does (`usage_status`, `total_workspaces`, `claimed_at`).
 */

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const POOL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'
const PoolName = Type.String({ pattern: POOL_NAME_PATTERN, description: 'Pool name (letters, digits, ., _ and -)' })

export const PoolParams = Type.Object({ pool: PoolName }, { additionalProperties: false })
export const PodParams = Type.Object({ podId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'Workspace (pod) id' }) }, { additionalProperties: false })
export const ClaimQuery = Type.Object(
  { workspaceId: Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$', description: 'The workspace the pod is for; the same id gets the same pod' }) },
  { additionalProperties: false },
)

const Settings = {
  size: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Pods kept ready (free or provisioning, unclaimed)' })),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'The most pods the pool may hold' })),
  domain: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 253 }), Type.Null()], { description: "Public domain of the pods' URLs; null: this server's address" })),
  ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65_535 }), { maxItems: 16, description: 'Ports mapped per pod' })),
}

export const CreatePoolBody = Type.Object(
  { name: PoolName, apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'A key every call for the pool must then bring (Authorization: Bearer, or x-api-key)' })), ...Settings },
  { additionalProperties: false },
)
export const PoolSettingsBody = Type.Object(Settings, { additionalProperties: false, minProperties: 1 })
export const UpdateBody = Type.Object(
  { repositories: Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 50, description: 'Repositories to sync (owner/repo)' }) },
  { additionalProperties: false },
)

export const Workspace = Type.Object({
  id: Type.String(),
  poolName: Type.String(),
  url: Type.String(),
  password: Type.String(),
  usage_status: Type.String({ description: 'free, used, or provisioning, syncing, deleting, error' }),
  claimedBy: Nullable(Type.String()),
  claimed_at: Nullable(Type.String({ format: 'date-time' })),
  portMappings: Type.Record(Type.String(), Type.String()),
  repositories: Type.Array(Type.String()),
  error: Nullable(Type.String()),
})

/** A row of a pool's status (seed 004's `workspaces[]`). */
export const WorkspaceRow = Type.Object({
  id: Type.String(),
  status: Type.String(),
  claimed_by: Nullable(Type.String()),
  claimed_at: Nullable(Type.String({ format: 'date-time' })),
  url: Type.String(),
})

export const Pool = Type.Object({
  name: Type.String(),
  id: Type.String(),
  total_workspaces: Type.Integer(),
  available_workspaces: Type.Integer(),
  used_workspaces: Type.Integer(),
  size: Type.Integer(),
  capacity: Type.Integer(),
  domain: Nullable(Type.String()),
  ports: Type.Array(Type.Integer()),
  keyed: Type.Boolean({ description: 'Whether calls for the pool need its key' }),
})

export const ErrorBody = Type.Object({ success: Type.Literal(false), error: Type.String(), code: Type.String(), field: Nullable(Type.String()) })
export const WorkspaceReply = Type.Object({ success: Type.Literal(true), workspace: Workspace })
export const PoolReply = Type.Object({ success: Type.Literal(true), pool: Pool })
export const StatusReply = Type.Object({ success: Type.Literal(true), pool: Pool, workspaces: Type.Array(WorkspaceRow) })
export const WorkspacesReply = Type.Object({ success: Type.Literal(true), workspaces: Type.Array(Workspace) })
export const DeletedReply = Type.Object({ success: Type.Literal(true) })

export const PoolEventsQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Replay the events after this number first (on SSE, a Last-Event-ID header does the same)' }),
    ),
  },
  { additionalProperties: false },
)
