/**
 * mockcloud's programmatic entry point: build the server in process, drive
 * its clock, reach its engine. The SDK (`mockcloud/sdk`) and test kit
 * (`mockcloud/testing`) build on these.
 *
 * @example
 * import { buildApp, ManualClock } from 'mockcloud'
 * const clock = new ManualClock()
 * const app = await buildApp({ clock, profile: 'realistic', seed: '42' })
 */
export { buildApp, type AppOptions } from './server/app.js'
export { startRuntime, type Runtime, type RuntimeOptions } from './server/runtime.js'
export type { Clock } from './clock/clock.js'
export { ManualClock } from './clock/manual-clock.js'
export { SystemClock } from './clock/system-clock.js'
export { Engine, type ListOptions, type Page } from './engine/engine.js'
export { EngineError, NotFoundError, ValidationError, ConflictError } from './engine/errors.js'
export { PROFILES, type ProfileName } from './engine/timing.js'
export type { ResourceRecord, EventRecord } from './store/records.js'
export { VERSION } from './version.js'
