import { spawn, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A server under test in its own process, so it does not share a core's
 * event loop with autocannon (the bench machine has only two cores).
 */
export class ChildServer {
  private tail = ''
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  private readonly exit: Promise<void>

  private constructor(
    readonly label: string,
    readonly baseUrl: string,
    private readonly child: ChildProcess,
  ) {
    // NOTE: drain both pipes (a full pipe would block the child) and keep the end for error reports.
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-4000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal }
        resolve()
      })
    })
  }

  /**
   * Starts `node --import tsx <args>` in `cwd` (plain `node <args>` with
   * `tsx: false`, for compiled JavaScript); the server must listen on `port`.
   */
  static start(label: string, args: string[], port: number, cwd: string, opts: { tsx?: boolean } = {}): ChildServer {
    const child = spawn(process.execPath, [...(opts.tsx === false ? [] : ['--import', 'tsx']), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    return new ChildServer(label, `http://127.0.0.1:${port}`, child)
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.label} has no pid (spawn failed)`)
    return this.child.pid
  }

  /** Polls GET /health every `intervalMs` until it answers 200; fails fast if the process dies. */
  async ready(timeoutMs = 30_000, intervalMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.label} exited (${this.exited.code ?? this.exited.signal}) before it was ready:\n${this.tail}`)
      try {
        const res = await fetch(`${this.baseUrl}/health`)
        await res.arrayBuffer()
        if (res.ok) return
      } catch {
        // not listening yet
      }
      await sleep(intervalMs)
    }
    throw new Error(`${this.label} was not ready after ${timeoutMs} ms:\n${this.tail}`)
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exit
    clearTimeout(timer)
  }

  /** Kills at once, synchronously: for process 'exit' handlers. */
  killNow(): void {
    if (!this.exited && this.child.exitCode === null) this.child.kill('SIGKILL')
  }
}
