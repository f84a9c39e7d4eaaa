import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { createServer } from 'node:net'

/** A child process with its combined output and its exit code. */
export type Child = ChildProcess & { output: () => string; exited: Promise<number> }

/** Spawns a command, collecting stdout and stderr; `kill` it (or let the test's cleanup do it). */
export function start(command: string, args: string[], opts: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
  let out = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  return Object.assign(child, { output: () => out, exited })
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/**
 * Polls `fn` until it returns a value (bounded: 15 s): how a client waits for
 * a server process to come up. Not used for lifecycles, which tests drive
 * with a manual clock.
 */
export async function until<T>(fn: () => Promise<T | undefined>, what: string, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** GET /health of a local server once it answers. */
export function health(port: number): Promise<Record<string, unknown>> {
  return until(async () => (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<Record<string, unknown>>, `health on port ${port}`)
}
