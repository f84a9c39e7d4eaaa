import { fail } from './serve.js'

/** A running mockcloud, as the client commands (`snapshot`, `reset`) reach it. */
export interface ControlTarget {
  /** Base URL (`--url`, MOCKCLOUD_URL), e.g. http://127.0.0.1:4600. */
  url: string
  /** Sent as `Authorization: Bearer <key>` when set (`--control-key`, MOCKCLOUD_CONTROL_KEY). */
  controlKey?: string | undefined
}

/**
 * Calls the control face (`/_mockcloud/<path>`) of a running mockcloud and
 * returns its JSON answer. Any failure ends the command with one line and
 * exit code 1: a server that cannot be reached, or the server's own error
 * message (a 401 also says how to pass the key).
 */
export async function controlRequest<T>(target: ControlTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const base = target.url.endsWith('/') ? target.url : `${target.url}/`
  const url = new URL(`_mockcloud/${path}`, base)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (target.controlKey) headers['authorization'] = `Bearer ${target.controlKey}`

  let res: Response
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))
    fail(`cannot reach mockcloud at ${target.url} (${why}): start one with mockcloud serve, or point --url (MOCKCLOUD_URL) at it`)
  }

  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  if (res.ok && json !== undefined) return json as T

  const what = `${method} ${url.pathname}`
  const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message
  if (typeof message !== 'string') fail(`${target.url} answered ${res.status} ${res.statusText} to ${what}: is it a mockcloud?`)
  const hint = res.status === 401 ? (target.controlKey ? ' (the --control-key given was not accepted)' : ' (pass --control-key or set MOCKCLOUD_CONTROL_KEY)') : ''
  fail(`mockcloud at ${target.url} refused ${what} (${res.status}): ${oneLine(message)}${hint}`)
}

/** A message on one line, however it arrived. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
