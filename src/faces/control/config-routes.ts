import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { SystemClock } from '../../clock/system-clock.js'
import { loadSettings } from '../../engine/settings.js'
import type { Runtime } from '../../server/runtime.js'
import { Config, ConfigBody } from './schemas.js'

/** `/_mockcloud/config`: what this mockcloud runs with, and the timings a test may change while it runs. */
export function registerConfigRoutes(app: FastifyInstance): void {
  const runtime = app.mockcloud
  const tags = ['control: config']

  app.get('/config', { schema: { tags, summary: 'The timing profile, overrides, clock, seed and backends in use', response: { 200: Config } } }, async () => configOf(runtime))

  app.post(
    '/config',
    { schema: { tags, summary: 'Change the timing profile or overrides for operations started from now on', body: ConfigBody, response: { 200: Config } } },
    async (req) => {
      await runtime.setTiming(req.body as Static<typeof ConfigBody>)
      return configOf(runtime)
    },
  )
}

async function configOf(runtime: Runtime): Promise<Static<typeof Config>> {
  const { engine, clock, mode } = runtime
  const settings = await loadSettings(engine.store.read)
  return {
    profile: engine.timing.profile,
    timing: settings?.timing ?? [],
    time_scale: clock instanceof SystemClock ? clock.timeScale : null,
    clock: clock.mode,
    seed: engine.random.seed,
    store: engine.store.dialect,
    runner: mode.runner,
    bus: mode.bus,
  }
}
