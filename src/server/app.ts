import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { controlKeyGuard } from '../faces/control/auth.js'
import { poolManagerFace } from '../faces/pools/index.js'
import { podStandInsFace } from '../faces/pods/index.js'
import { controlFace } from '../faces/control/index.js'
import { errorHandler } from './error-shape.js'
import type { IdentitySpec } from '../engine/identity/identity.js'
import { nativeFace } from '../faces/native/index.js'
import { createMetrics } from '../observe/metrics.js'
import { logTransitionFailures } from '../observe/transition-failures.js'
import { answerClientError, answerFrameworkError, MAX_PARAM_LENGTH } from './framework-errors.js'
import { parseJsonBodies } from './json-body.js'
import { openApiOptions } from './openapi.js'
import { recordCalls } from './record-calls.js'
import { registerRedoc } from './redoc.js'
import { registerSwaggerUi } from './swagger-ui.js'
import { VERSION } from '../version.js'
import { startRuntime, type Runtime, type RuntimeOptions } from './runtime.js'
import { answerUnrouted, trackRoutes } from './unrouted.js'
import { serializerCompiler, validatorCompiler } from './validation.js'

declare module 'fastify' {
  interface FastifyInstance {
    mockcloud: Runtime
  }
}

export interface AppOptions extends RuntimeOptions {
  /** An already started runtime to serve; otherwise one is started from the other options. */
  runtime?: Runtime
  /** Fastify's logger option; default off. */
  logger?: FastifyServerOptions['logger']
  /** Locks the control face and /metrics with this key (default: MOCKCLOUD_CONTROL_KEY, if set). */
  controlKey?: string | undefined
  /** Requires this key on the native API (default: MOCKCLOUD_API_KEY, if set). */
  apiKey?: string | undefined
  /** Users and keys beyond the seeded admin and demo (`serve --user`, `--identity FILE`). */
  identity?: IdentitySpec | undefined
}

/**
 * Builds the whole server (every face on one Fastify instance) without
 * listening, so tests can `app.inject()` and the CLI can `listen()`.
 * Closing the app closes the runtime it started.
 *
 * @example
 * const app = await buildApp({ clock: new ManualClock(), profile: 'fast', seed: '1' })
 * const res = await app.inject({ method: 'GET', url: '/api/v1/vms' })
 */
export async function buildApp(opts: AppOptions = {}): Promise<FastifyInstance> {
  const runtime = opts.runtime ?? (await startRuntime(opts))
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1_048_576,
    return503OnClosing: false,
    // NOTE: seed 002's clients write `/api/v1/environments/`; ids are up to 128 characters (the default stops at 100).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.decorate('mockcloud', runtime)
  if (!opts.runtime) app.addHook('onClose', () => runtime.close())
  // NOTE: every path answers in the faces' error shape, including those outside any face.
  trackRoutes(app)
  app.setErrorHandler(errorHandler())
  app.setNotFoundHandler(answerUnrouted)
  parseJsonBodies(app)

  const controlKey = opts.controlKey ?? (process.env['MOCKCLOUD_CONTROL_KEY'] || undefined)
  const apiKey = opts.apiKey ?? (process.env['MOCKCLOUD_API_KEY'] || undefined)
  await app.register(swagger, openApiOptions({ apiKey, controlKey }))
  registerSwaggerUi(app)
  registerRedoc(app)

  const metrics = createMetrics(runtime.engine)
  const offFailureLog = logTransitionFailures(runtime.engine, app.log)
  app.addHook('onClose', async () => {
    metrics.close()
    offFailureLog()
  })
  recordCalls(app, runtime, metrics)

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  // NOTE: 200 even when degraded: this server answers, and taking it out of a load balancer or restarting it would not bring a worker back.
  app.get('/health', { schema: { tags: ['health'], summary: 'Liveness, whether transitions are being applied, and what this server runs on' } }, async () => ({
    ...(await runtime.liveness()),
    version: VERSION,
    store: runtime.engine.store.dialect,
    clock: runtime.clock.mode,
    profile: runtime.engine.timing.profile,
    seed: runtime.engine.random.seed,
    time: new Date(runtime.clock.now()).toISOString(),
  }))

  app.get('/metrics', { onRequest: controlKeyGuard(controlKey), schema: { tags: ['control: metrics'], summary: 'Prometheus metrics' } }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )

  // NOTE: the key is the engine identity's (a key of user admin for the native API), so tokens are accepted beside it.
  await runtime.engine.identity.configure({ apiKey: apiKey || undefined, spec: opts.identity })
  await app.register(nativeFace, { prefix: '/api/v1', requireAuth: Boolean(apiKey) })
  // NOTE: the faces with live streams share one @fastify/websocket, in a scope of their own: it wraps every route handler of
  // its scope, and each registration listens for upgrades, so a second one would answer every upgrade twice.
  await app.register(async function streamingFaces(scope) {
    await scope.register(websocket)
    await scope.register(controlFace, { prefix: '/_mockcloud', controlKey })
    await scope.register(poolManagerFace, { prefix: '/pool-manager' })
  })
  // NOTE: where the pool manager's pod URLs point when a pool has no public domain.
  await app.register(podStandInsFace, { prefix: '/pods' })
  return app
}
