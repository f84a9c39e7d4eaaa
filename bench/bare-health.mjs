import Fastify from 'fastify'

/**
 * The start-up and idle-memory baseline: a bare Fastify server with one
 * /health route, plain JavaScript, started as the compiled CLI is:
 * `node bench/bare-health.mjs --port <port>`.
 */
const at = process.argv.indexOf('--port')
const port = Number(at >= 0 ? process.argv[at + 1] : NaN)
if (!Number.isInteger(port)) {
  process.stderr.write('usage: bare-health.mjs --port <port>\n')
  process.exit(2)
}
const app = Fastify({ logger: false })
app.get('/health', async () => ({ status: 'ok' }))

const stop = () => void app.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)

await app.listen({ port, host: '127.0.0.1' })
