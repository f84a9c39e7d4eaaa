/**
 * Knobs, from the environment so CI can shorten a run without editing code.
 * Defaults keep the whole bench near 1.5 minutes on a 2-core machine.
 */
export interface BenchConfig {
  /** Measured seconds per server per operation (BENCH_DURATION). */
  duration: number
  /** Warm-up seconds per server per operation (BENCH_WARMUP). */
  warmup: number
  /** autocannon connections (BENCH_CONNECTIONS). */
  connections: number
  /** Measured slices per server, run in ABBA order so drift hits both (BENCH_SLICES). */
  slices: number
  /** VMs in the project for the list benchmark (BENCH_VMS). */
  vms: number
  /** Concurrent creates while populating (BENCH_POPULATE_CONCURRENCY). */
  populateConcurrency: number
}

/** Reads the config; a malformed variable is an error rather than a silent default. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return {
    duration: num(env, 'BENCH_DURATION', 8),
    warmup: num(env, 'BENCH_WARMUP', 2),
    connections: int(env, 'BENCH_CONNECTIONS', 10),
    slices: int(env, 'BENCH_SLICES', 2),
    vms: int(env, 'BENCH_VMS', 10_000),
    populateConcurrency: int(env, 'BENCH_POPULATE_CONCURRENCY', 16),
  }
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`)
  return n
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const n = num(env, name, fallback)
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got '${env[name]}'`)
  return n
}
