import { createHash } from 'node:crypto'

/**
 * What the stand-in on a pod's Goose port sends, in goosed's own shapes
 * (block/goose, crates/goose-server/src/routes/reply.rs and the `Message` of
 * crates/goose/src/conversation/message.rs; goose-server 1.23's OpenAPI
 * agrees): `POST /reply` answers `text/event-stream`, one `data: JSON` line
 * per event. Events are tagged by `type` with snake_case fields
 * (`{"type":"Message","message":...,"token_state":...}`, then
 * `{"type":"Finish","reason":"stop","token_state":...}`); the Message and
 * TokenState inside are camelCase.
 */

export interface GooseText {
  type: 'text'
  text: string
}

export interface GooseMessage {
  id: string | null
  role: 'user' | 'assistant'
  /** Unix seconds. */
  created: number
  content: GooseText[]
  metadata: { userVisible: boolean; agentVisible: boolean }
}

export interface TokenState {
  inputTokens: number
  outputTokens: number
  totalTokens: number
  accumulatedInputTokens: number
  accumulatedOutputTokens: number
  accumulatedTotalTokens: number
}

export type GooseEvent = { type: 'Message'; message: GooseMessage; token_state: TokenState } | { type: 'Finish'; reason: string; token_state: TokenState }

interface MessageIn {
  role: string
  content: Array<{ type: string; text?: string | undefined }>
}

/** The text of the user's last message: `user_message` (goosed 1.x), else the last user entry of `messages` (older goosed). */
export function lastUserText(body: { user_message?: MessageIn | undefined; messages?: MessageIn[] | undefined }): string | undefined {
  const message = body.user_message ?? body.messages?.filter((m) => m.role === 'user').at(-1)
  if (!message) return undefined
  // NOTE: joined as goosed's as_concat_text joins a message's text parts.
  return message.content.flatMap((c) => (c.type === 'text' && typeof c.text === 'string' ? [c.text] : [])).join('\n')
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length
// NOTE: how many words each Message event carries: a streaming provider sends its reply in pieces, all under one message id.
const WORDS_PER_EVENT = 4

/**
 * The reply to `said`, derived from it alone (and the pod, the session and
 * the time): no model, no randomness. Its pieces stream as Message events
 * sharing one id, as goosed streams a provider's deltas, then a Finish.
 * Token counts are words, a stand-in for a tokenizer. goosed's Ping
 * heartbeats (every 500 ms while an agent works) are left out: the reply is
 * ready at once.
 */
export function replyEvents(said: string, ctx: { podName: string; sessionId: string; nowMs: number }): GooseEvent[] {
  const text = said.trim() === '' ? `mockcloud's Goose on ${ctx.podName} got an empty message.` : `mockcloud's Goose on ${ctx.podName} heard: ${said.trim()}`
  const id = `msg_${createHash('sha256').update(`${ctx.podName}\n${ctx.sessionId}\n${ctx.nowMs}\n${said}`).digest('hex').slice(0, 24)}`
  const created = Math.floor(ctx.nowMs / 1000)
  const input = words(said)
  const output = words(text)
  const tokens: TokenState = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    accumulatedInputTokens: input,
    accumulatedOutputTokens: output,
    accumulatedTotalTokens: input + output,
  }
  const pieces = text.match(new RegExp(`(?:\\S+\\s*){1,${WORDS_PER_EVENT}}`, 'g')) ?? [text]
  const messages: GooseEvent[] = pieces.map((piece) => ({
    type: 'Message',
    message: { id, role: 'assistant', created, content: [{ type: 'text', text: piece }], metadata: { userVisible: true, agentVisible: true } },
    token_state: tokens,
  }))
  return [...messages, { type: 'Finish', reason: 'stop', token_state: tokens }]
}

/** One server-sent event as goosed writes it: a `data:` line and a blank line. */
export const sseLine = (event: GooseEvent) => `data: ${JSON.stringify(event)}\n\n`
