import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { errorFromResponse, NetworkError } from '../sdk/errors.js'

/**
 * Opens a server-sent event stream and calls `onData` with each event's
 * data. Resolves once the server answered 200 (rejects with the SDK's typed
 * error otherwise) with a function that closes the stream.
 *
 * NOTE: node:http without an agent, not fetch: an aborted fetch leaves undici
 * a spare connection that holds the server's close() for seconds.
 */
export function openEventStream(url: string, key: string | undefined, onData: (data: string) => void): Promise<() => void> {
  const target = new URL(url)
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (key) headers['authorization'] = `Bearer ${key}`
  return new Promise((resolve, reject) => {
    const req = send(target, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        void readAll(res).then((text) => reject(errorFromResponse(res.statusCode ?? 0, parse(text))), reject)
        return
      }
      res.setEncoding('utf8')
      let buffer = ''
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
          if (data.length) onData(data.join('\n'))
        }
      })
      // NOTE: the server ends the stream when it stops; nothing to report.
      res.on('error', () => undefined)
      resolve(() => res.destroy())
    })
    req.on('error', (err) => reject(new NetworkError(`GET ${url} failed: ${err.message}`, err)))
    req.end()
  })
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    res.setEncoding('utf8')
    res.on('data', (c: string) => (text += c))
    res.on('end', () => resolve(text))
    res.on('error', reject)
  })
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
