import { createServer } from 'node:net'

/**
 * A port that was free a moment ago. The CLI cannot listen on port 0 and
 * report back, so ask the OS for one here and hand it over; the small race
 * (someone else taking it in between) is acceptable for a local bench.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, host, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => (port ? resolve(port) : reject(new Error('no port from the OS'))))
    })
  })
}
