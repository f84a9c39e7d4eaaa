import { get, type IncomingMessage } from 'node:http'
import { connect } from 'node:net'
// NOTE: Node 20 has no global WebSocket without a flag.
import WebSocket from 'ws'
import type { TestApp } from './app.js'

/** Live streams of a listening test app: server-sent events and WebSockets, read the way a client does. */

/** Starts the app on a random local port; returns its base URL. */
export async function listen(t: TestApp): Promise<string> {
  return t.app.listen({ port: 0, host: '127.0.0.1' })
}

export interface SseEvent {
  id?: string
  event?: string
  data?: string
}

/**
 * Reads a server-sent event stream. `next()` resolves with the next event
 * (comments skipped); `close()` drops the connection.
 *
 * NOTE: node:http with no agent rather than fetch: when a fetch is aborted,
 * undici opens a spare connection that sends nothing, and a server's close()
 * waits on it for undici's 4 s keep-alive.
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | undefined; body(): Promise<string>; next(timeoutMs?: number): Promise<SseEvent>; close(): void }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => get(url, { headers, agent: false }, resolve).on('error', reject))
  res.setEncoding('utf8')
  let buffer = ''
  let ended = false
  const waiters: Array<() => void> = []
  const wake = () => {
    for (const w of waiters.splice(0)) w()
  }
  res.on('data', (chunk: string) => {
    buffer += chunk
    wake()
  })
  res.on('close', () => {
    ended = true
    wake()
  })
  const next = async (timeoutMs = 5_000): Promise<SseEvent> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const end = buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const e: SseEvent = {}
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue
          const colon = line.indexOf(':')
          e[line.slice(0, colon) as keyof SseEvent] = line.slice(colon + 1).replace(/^ /, '')
        }
        if (Object.keys(e).length) return e
        continue
      }
      if (ended) throw new Error('event stream ended')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('no event in time')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }
  const body = async () => {
    while (!ended) await new Promise<void>((resolve) => waiters.push(resolve))
    return buffer
  }
  return { status: res.statusCode ?? 0, contentType: res.headers['content-type'], body, next, close: () => res.destroy() }
}


/**
 * Opens a WebSocket and collects its JSON messages. Resolves once open, or
 * rejects with the HTTP status when the upgrade is refused.
 */
export function openWs(url: string, headers: Record<string, string> = {}): Promise<{ next(timeoutMs?: number): Promise<any>; close(): void }> {
  const socket = new WebSocket(url, { headers })
  const queue: unknown[] = []
  const waiters: Array<(m: unknown) => void> = []
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as unknown
    const w = waiters.shift()
    if (w) w(msg)
    else queue.push(msg)
  })
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_req, res) => {
      socket.terminate()
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }))
    })
    socket.on('error', reject)
    socket.on('open', () =>
      resolve({
        next: (timeoutMs = 5_000) =>
          queue.length
            ? Promise.resolve(queue.shift())
            : new Promise((res, rej) => {
                const timer = setTimeout(() => rej(new Error('no WebSocket message in time')), timeoutMs)
                waiters.push((m) => {
                  clearTimeout(timer)
                  res(m)
                })
              }),
        close: () => socket.close(),
      }),
    )
  })
}

/**
 * Asks for a WebSocket upgrade that the server is expected to refuse, on a
 * raw socket (Node's HTTP client hangs up on a refused upgrade); returns the
 * HTTP status and JSON body of the answer.
 */
export function upgradeRefusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const u = new URL(url)
  const lines = [`GET ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect(Number(u.port), u.hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n`))
    const done = () => {
      const [head = '', body = ''] = text.split('\r\n\r\n')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1)
      if (status === 101) return reject(new Error('the server upgraded'))
      if (status && Buffer.byteLength(body) >= length) {
        socket.destroy()
        resolve({ status, body: body ? JSON.parse(body) : undefined })
        return true
      }
      return false
    }
    socket.on('data', (d: Buffer) => {
      text += d.toString()
      done()
    })
    socket.on('close', () => done() || reject(new Error(`no complete answer: ${JSON.stringify(text)}`)))
    socket.on('error', reject)
  })
}
