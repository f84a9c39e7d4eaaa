import Fastify from 'fastify'
import { readFixtures } from './fixtures.js'

/**
 * The baseline: plain Fastify routes on the same paths as mockcloud, answering
 * the JSON mockcloud answered (no schemas, no store, no hooks). Run as a
 * child process: `node --import tsx bench/bare-server.ts <port> <fixtures.json>`.
 */
const [portArg, fixturesPath] = process.argv.slice(2)
if (!portArg || !fixturesPath) {
  process.stderr.write('usage: bare-server.ts <port> <fixtures.json>\n')
  process.exit(2)
}
const fx = readFixtures(fixturesPath)
const app = Fastify({ logger: false })

app.get('/health', async () => ({ status: 'ok' }))
app.get('/api/v1/vms/:id', async () => fx.vm)
app.get('/api/v1/vms', async () => fx.page)
// NOTE: Fastify's default parser reads and JSON.parses the body before this runs, as for mockcloud.
app.post('/api/v1/vms', async (_req, reply) => reply.code(202).send(fx.created))

const stop = () => void app.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)

await app.listen({ port: Number(portArg), host: '127.0.0.1' })
