import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { LATEST_TIME } from '../../clock/bounds.js'
import { ManualClock } from '../../clock/manual-clock.js'
import { ConflictError, ValidationError } from '../../engine/errors.js'
import { clockToWire } from './mappers.js'
import { AdvanceBody, Clock, TimeScaleBody } from './schemas.js'

/** `/_mockcloud/clock`: read emulated time, advance a manual clock, change a system clock's scale. */
export function registerClockRoutes(app: FastifyInstance): void {
  const runtime = app.mockcloud
  const tags = ['control: clock']

  app.get('/clock', { schema: { tags, summary: 'Emulated time and how it runs', response: { 200: Clock } } }, async () => clockToWire(runtime.clock))

  app.post('/clock/advance', { schema: { tags, summary: 'Move a manual clock forward; every transition due by then runs first', body: AdvanceBody, response: { 200: Clock } } }, async (req) => {
    const clock = runtime.clock
    if (!(clock instanceof ManualClock)) throw new ConflictError(`the clock is ${clock.mode}, not manual: start mockcloud with a manual clock (serve --clock manual) to advance it`)
    const { ms } = req.body as Static<typeof AdvanceBody>
    if (clock.now() + ms > LATEST_TIME) throw new ValidationError('ms', `ms: the clock stops at ${new Date(LATEST_TIME).toISOString()}; it can move at most ${LATEST_TIME - clock.now()} ms more`)
    await clock.advance(ms)
    await runtime.scheduler.idle()
    return clockToWire(clock)
  })

  app.post('/clock', { schema: { tags, summary: 'Change how fast a system clock runs', body: TimeScaleBody, response: { 200: Clock } } }, async (req) => {
    await runtime.setTimeScale((req.body as Static<typeof TimeScaleBody>).time_scale)
    return clockToWire(runtime.clock)
  })
}
