import { InvalidArgumentError, Option } from 'commander'
import { PROFILES } from '../engine/timing.js'

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
