import { InvalidArgumentError, Option } from 'commander'
import { PROFILES } from '../engine/timing.js'
import { DEFAULT_EVENT_RETENTION } from '../engine/event-history.js'
import { DEFAULT_WAIT_FOR_SERVE_MS } from '../server/wait-for-settings.js'

/** Parsers that turn a bad flag into a one-line error naming it (commander exits 1). */

export function portOption(): Option {
  return new Option('--port <port>', 'port to listen on').env('MOCKCLOUD_PORT').default(4600).argParser((v) => {
    const n = Number(v)
    if (!/^\d+$/.test(v) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.')
    return n
  })
}

export function profileOption(): Option {
  return new Option('--profile <profile>', 'timing profile').env('MOCKCLOUD_PROFILE').choices(PROFILES).default('fast')
}

export function timeScaleOption(): Option {
  return new Option('--time-scale <factor>', 'emulated time per real time: 0.01 runs a 60 s build in 0.6 s')
    .env('MOCKCLOUD_TIME_SCALE')
    .default(1)
    .argParser((v) => {
      const n = Number(v)
      if (v.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive number, e.g. 0.01.')
      return n
    })
}

export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level').env('MOCKCLOUD_LOG_LEVEL').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
}

/** `--set vm.create.latency=30s..60s`, repeatable; MOCKCLOUD_TIMING takes them comma-separated. */
export function timingOption(): Option {
  return new Option('--set <kind.operation.property=value...>', 'override a timing, e.g. vm.create.latency=30s..60s or volume.create.failureRate=0.1')
    .env('MOCKCLOUD_TIMING')
    .argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)])
}

/** `--queue redis://...`: BullMQ for transitions and Redis pub/sub for events (needs a PostgreSQL --db). */
export function queueOption(): Option {
  return new Option('--queue <redis-url>', 'Redis URL: share transitions and events with other processes (needs a postgres:// --db)')
    .env('MOCKCLOUD_QUEUE')
    .argParser((v) => {
      if (!/^rediss?:\/\//.test(v)) throw new InvalidArgumentError('must be a redis:// URL.')
      return v
    })
}

/**
 * `mockcloud worker --wait-timeout <seconds>`: how long a worker started
 * before its serve waits for it (default 5 minutes, as long as a serve may
 * take to come up beside it; 0 fails at once). Bounded, so a worker pointed
 * at the wrong database exits with an error rather than waiting unseen.
 */
export function waitTimeoutOption(): Option {
  return new Option('--wait-timeout <seconds>', 'how long to wait for a mockcloud serve to set up the database (0: do not wait)')
    .env('MOCKCLOUD_WAIT_TIMEOUT')
    .default(DEFAULT_WAIT_FOR_SERVE_MS / 1000)
    .argParser((v) => {
      const n = Number(v)
      if (v.trim() === '' || !(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number of seconds, 0 or more, e.g. 300.')
      return n
    })
}

/** `--clock manual`: emulated time moves only on POST /_mockcloud/clock/advance. */
export function clockOption(): Option {
  return new Option('--clock <mode>', 'system: time runs by itself (scaled by --time-scale); manual: it moves only on POST /_mockcloud/clock/advance {"ms": N}')
    .env('MOCKCLOUD_CLOCK')
    .choices(['system', 'manual'])
    .default('system')
}

/** The key that locks (serve) or unlocks (the client commands) the control face and /metrics. */
export function controlKeyOption(what: 'lock' | 'send'): Option {
  const text =
    what === 'lock'
      ? 'require this key on the control face (/_mockcloud) and /metrics, as Authorization: Bearer <key>'
      : 'the control key of the server (its serve --control-key), sent as Authorization: Bearer <key>'
  return new Option('--control-key <key>', text).env('MOCKCLOUD_CONTROL_KEY')
}

export const DEFAULT_URL = 'http://127.0.0.1:4600'

/** `--url`: the base URL of a running mockcloud, for the commands that talk to its control face. */
export function urlOption(): Option {
  return new Option('--url <url>', 'base URL of a running mockcloud')
    .env('MOCKCLOUD_URL')
    .default(DEFAULT_URL)
    .argParser((v) => {
      let url: URL
      try {
        url = new URL(v)
      } catch {
        throw new InvalidArgumentError('must be an http:// or https:// URL, e.g. http://127.0.0.1:4600.')
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('must be an http:// or https:// URL, e.g. http://127.0.0.1:4600.')
      return v
    })
}

/** `--event-retention <n>`: how many of the newest events are kept for replay (streams' `?after=`, watches). */
export function eventRetentionOption(): Option {
  return new Option('--event-retention <events>', 'how many of the newest events to keep for replay (event streams with ?after= or Last-Event-ID)')
    .env('MOCKCLOUD_EVENT_RETENTION')
    .default(DEFAULT_EVENT_RETENTION)
    .argParser((v) => {
      const n = Number(v)
      if (!/^\d+$/.test(v.trim()) || n < 1 || n > 10_000_000) throw new InvalidArgumentError('must be a whole number of events from 1 to 10000000.')
      return n
    })
}

/** `--quota instances=50`, repeatable; `--quota '*=-1'` lifts every quota. MOCKCLOUD_QUOTA takes them comma-separated. */
export function quotaOption(): Option {
  return new Option('--quota <name=limit...>', "a quota for every project over OpenStack's defaults, e.g. instances=50 or cores=-1 (no limit); *=-1 lifts them all")
    .env('MOCKCLOUD_QUOTA')
    .argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)])
}
