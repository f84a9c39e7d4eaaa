import { Type } from 'typebox'

/**
 * The pod stand-ins' wire schemas. The echo and the Goose stream answer
 * whatever a pod's own services would, so their schemas are loose; errors
 * are mockcloud's own shape.
 */

const PodId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'Pod (workspace) id, as the pool manager hands it out' })
const Port = Type.Integer({ minimum: 1, maximum: 65_535, description: "One of the pool's mapped ports" })
const Rest = Type.String({ description: 'The path below the pod (or port) prefix' })

export const PodParams = Type.Object({ podId: PodId }, { additionalProperties: false })
export const PodRestParams = Type.Object({ podId: PodId, '*': Rest }, { additionalProperties: false })
export const PortParams = Type.Object({ podId: PodId, port: Port }, { additionalProperties: false })
export const PortRestParams = Type.Object({ podId: PodId, port: Port, '*': Rest }, { additionalProperties: false })

export const HealthBody = Type.Object({
  status: Type.Literal('ok'),
  pod: Type.String({ description: 'The pod id' }),
  port: Type.Union([Type.Integer(), Type.Null()], { description: "The port asked on; null on the pod's own URL" }),
})

export const EchoBody = Type.Object(
  {
    method: Type.String(),
    path: Type.String({ description: 'The path below the pod (or port) prefix, from /' }),
    query: Type.Record(Type.String(), Type.Unknown()),
    pod: Type.String({ description: 'The pod id' }),
    podName: Type.String(),
    podStatus: Type.String({ description: 'free or used: a pod in any other state answers 503' }),
    pool: Type.String({ description: "The pool's name" }),
    port: Type.Union([Type.Integer(), Type.Null()], { description: "The port asked on; null on the pod's own URL" }),
    body: Type.Unknown({ description: 'The body sent: JSON as parsed, anything else as text; null without one' }),
  },
  { additionalProperties: false },
)

export const ErrorBody = Type.Object({
  error: Type.Object({ status: Type.Integer(), code: Type.String(), message: Type.String(), field: Type.Union([Type.String(), Type.Null()]) }),
})

/** A goosed message as clients send it: only the parts the stand-in reads are checked. */
const GooseMessageIn = Type.Object(
  { role: Type.String(), content: Type.Array(Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) }, { additionalProperties: true })) },
  { additionalProperties: true },
)

/**
 * goosed's `ChatRequest` (`POST /reply`): `session_id` and `user_message`,
 * with `conversation_so_far`, `recipe_name`... beside them. Older goosed took
 * the whole conversation as `messages`; the stand-in reads either.
 */
export const GooseReplyBody = Type.Object(
  {
    session_id: Type.String({ minLength: 1 }),
    user_message: Type.Optional(GooseMessageIn),
    messages: Type.Optional(Type.Array(GooseMessageIn)),
  },
  { additionalProperties: true },
)

/** goosed's `/status`: the text `ok`. */
export const GooseStatusText = { description: 'ok', content: { 'text/plain': { schema: { type: 'string', const: 'ok' } } } }
/** goosed's `/reply`: `data: {"type":"Message",...}` events, then `data: {"type":"Finish",...}`. */
export const GooseEventStream = { description: 'Server-sent events, each `data: <MessageEvent JSON>`', content: { 'text/event-stream': { schema: { type: 'string' } } } }

export const GooseSecretHeader = Type.Object({ 'x-secret-key': Type.Optional(Type.String({ description: "goosed's secret; any value is accepted" })) })
