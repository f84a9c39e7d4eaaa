import { MockcloudError, SDK_ERR_CLOSED } from '../sdk/errors.js'

/** The methods of client `C` a double stands in for: all but `close`. */
export type DoubledMethod<C> = Exclude<{ [K in keyof C]: C[K] extends (...args: never[]) => unknown ? K : never }[keyof C], 'close'> & string

type Fn<C, M extends keyof C> = C[M] extends (...args: infer A) => infer R ? { args: A; result: Awaited<R> } : never

/** The arguments of one call of `M`. */
export type DoubleCallArgs<C, M extends DoubledMethod<C>> = Fn<C, M>['args']
/** What `M` resolves with. */
export type DoubleCallResult<C, M extends DoubledMethod<C>> = Fn<C, M>['result']
/** A stand-in for `M`: the arguments in, a result (or a rejection) out. */
export type DoubleBehavior<C, M extends DoubledMethod<C>> = (...args: DoubleCallArgs<C, M>) => DoubleCallResult<C, M> | Promise<DoubleCallResult<C, M>>
/** The calls each method received, oldest first. */
export type DoubleCalls<C> = { readonly [M in DoubledMethod<C>]: ReadonlyArray<DoubleCallArgs<C, M>> }

interface Failure {
  error: Error
  /** How many more calls it answers; undefined for every call. */
  times: number | undefined
}

interface Closable {
  close(): Promise<void>
}

/**
 * What every SDK client's test double shares (seed 003's MockClientManager
 * idea): it records every call per method, fails the methods a test tells
 * it to, runs a custom function where one is given, and sends anything else
 * to a fallback client (or rejects when there is none). A subclass names
 * the client's methods and its default fallback.
 */
export class ClientDouble<C extends Closable> {
  private readonly recorded = new Map<string, unknown[][]>()
  private readonly failures = new Map<string, Failure>()
  private readonly behaviors = new Map<string, (...args: never[]) => unknown>()
  private closed = false

  protected constructor(
    private readonly label: string,
    private readonly methods: readonly DoubledMethod<C>[],
    private readonly fallback: C | undefined,
    private readonly ownsFallback: boolean,
  ) {
    for (const method of methods) {
      this.recorded.set(method, [])
      Object.defineProperty(this, method, { value: (...args: unknown[]) => this.invoke(method, args), enumerable: false })
    }
  }

  /** The calls each method received (arguments as passed), oldest first. */
  get calls(): DoubleCalls<C> {
    return Object.fromEntries(this.methods.map((m) => [m, this.recorded.get(m) ?? []])) as unknown as DoubleCalls<C>
  }

  /** How many times `method` was called (every method, when none is given). */
  callCount(method?: DoubledMethod<C>): number {
    if (method) return this.recorded.get(method)?.length ?? 0
    let n = 0
    for (const calls of this.recorded.values()) n += calls.length
    return n
  }

  /**
   * Makes `method` reject with `error`: on every call, or on the next
   * `times` calls only (then it answers as before). Calls are recorded either way.
   */
  fail(method: DoubledMethod<C>, error: Error, opts: { times?: number } = {}): this {
    if (opts.times !== undefined && !(Number.isInteger(opts.times) && opts.times > 0)) throw new RangeError(`times: must be a positive integer, got ${opts.times}`)
    this.failures.set(method, { error, times: opts.times })
    return this
  }

  /** Answers `method` with `fn` (its arguments in; a value, a promise, or a throw out). */
  behave<M extends DoubledMethod<C>>(method: M, fn: DoubleBehavior<C, M>): this {
    this.behaviors.set(method, fn as (...args: never[]) => unknown)
    return this
  }

  /** Forgets recorded calls, errors and behaviours: of one method, or of all. */
  reset(method?: DoubledMethod<C>): this {
    for (const m of method ? [method] : this.methods) {
      this.recorded.set(m, [])
      this.failures.delete(m)
      this.behaviors.delete(m)
    }
    return this
  }

  /** Closes the default fallback client; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.ownsFallback) await this.fallback?.close()
  }

  private async invoke(method: string, args: unknown[]): Promise<unknown> {
    this.recorded.get(method)!.push(args)
    if (this.closed) throw new MockcloudError(`this ${this.label} is closed`, { status: 0, code: SDK_ERR_CLOSED })
    const failure = this.failures.get(method)
    if (failure) {
      if (failure.times !== undefined && --failure.times === 0) this.failures.delete(method)
      throw failure.error
    }
    const behavior = this.behaviors.get(method)
    if (behavior) return (behavior as (...a: unknown[]) => unknown)(...args)
    if (!this.fallback) throw new Error(`${this.label}: ${method} has no behaviour (set one with behave('${method}', fn), or keep the default fallback)`)
    return ((this.fallback as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!).apply(this.fallback, args)
  }
}
