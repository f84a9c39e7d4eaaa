import { LATEST_TIME, MAX_TIME_SCALE, MIN_TIME_SCALE } from '../clock/bounds.js'
import { PROFILES } from '../engine/timing.js'
import { seedOption } from '../sdk/seed-option.js'
import type { StartMockCloudOptions } from './start-mockcloud.js'

/** What startMockCloud runs with once its options are checked: the seed as text. */
export type CheckedOptions = Omit<StartMockCloudOptions, 'seed'> & { seed?: string }

/** Throws when `value` is not what option `name` takes. */
type Check = (value: unknown, name: string) => void

const text: Check = (v, name) => {
  if (typeof v !== 'string') throw new TypeError(`${optionName(name)} must be a string, got ${typeOf(v)}`)
}
const oneOf =
  (choices: readonly string[]): Check =>
  (v, name) => {
    text(v, name)
    if (!choices.includes(v as string)) throw new RangeError(`${optionName(name)} must be one of ${choices.join(', ')}, got '${String(v)}'`)
  }
const numberIn =
  (min: number, max: number, what: string): Check =>
  (v, name) => {
    if (typeof v !== 'number') throw new TypeError(`${optionName(name)} must be a number, got ${typeOf(v)}`)
    if (!(v >= min && v <= max)) throw new RangeError(`${optionName(name)} must be ${what}, got ${v}`)
  }
const integerIn =
  (min: number, max: number): Check =>
  (v, name) => {
    numberIn(min, max, `an integer from ${min} to ${max}`)(v, name)
    if (!Number.isInteger(v)) throw new RangeError(`${optionName(name)} must be an integer from ${min} to ${max}, got ${String(v)}`)
  }

const CHECKS: Record<keyof StartMockCloudOptions, Check> = {
  clock: oneOf(['manual', 'system']),
  start: (v, name) => {
    const ms = v instanceof Date ? v.getTime() : v
    if (typeof ms !== 'number') throw new TypeError(`${optionName(name)} must be a Date or a number of ms since 1970, got ${typeOf(v)}`)
    if (!(ms >= 0 && ms <= LATEST_TIME)) throw new RangeError(`${optionName(name)} must be a valid time from 1970 to 9999, got ${Number.isNaN(ms) ? 'an invalid Date' : ms}`)
  },
  timeScale: numberIn(MIN_TIME_SCALE, MAX_TIME_SCALE, `from ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE} (0.01 runs a minute in 0.6 s)`),
  profile: oneOf(PROFILES),
  seed: (v, name) => void seedOption(v, optionName(name)),
  timing: (v, name) => {
    if (!Array.isArray(v)) throw new TypeError(`${optionName(name)} must be an array of strings (['vm.create.latency=5s']), got ${typeOf(v)}`)
    v.forEach((item, i) => text(item, `${name}[${i}]`))
  },
  publicCidr: text,
  db: text,
  controlKey: text,
  apiKey: text,
  tenantId: text,
  host: text,
  port: integerIn(0, 65_535),
  quotas: (v, name) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${optionName(name)} must be an object of limits ({ instances: 100 }), got ${typeOf(v)}`)
    for (const [k, limit] of Object.entries(v)) integerIn(-1, 2_147_483_647)(limit, `${name}.${k}`)
  },
}

/**
 * Checks startMockCloud's options before anything starts: an unknown option or a
 * value of the wrong type is a TypeError, a value out of range a RangeError,
 * each naming the option. A numeric seed becomes its decimal string.
 */
export function checkOptions(opts: unknown): CheckedOptions {
  if (opts === undefined) return {}
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new TypeError(`startMockCloud: options must be an object, got ${typeOf(opts)}`)
  const given = opts as Record<string, unknown>
  for (const [key, value] of Object.entries(given)) {
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof StartMockCloudOptions] : undefined
    if (!check) throw new TypeError(`startMockCloud: unknown option '${key}' (options: ${Object.keys(CHECKS).join(', ')})`)
    // NOTE: an option set to undefined is an option left out, as with the spread of a partial config.
    if (value !== undefined) check(value, key)
  }
  return { ...(given as StartMockCloudOptions), seed: seedOption(given['seed'], optionName('seed')) }
}

function optionName(name: string): string {
  return `startMockCloud: option '${name}'`
}

function typeOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return `'${v}'`
  if (typeof v === 'number') return String(v)
  return typeof v
}
