/**
 * A proxy of `client` whose methods (all but `close`) go through `around`,
 * which gets the method's name and a function that calls it. What the
 * SDK's wrappers (resilience, metrics) share; the result keeps the client's type.
 */
export function wrapMethods<T extends object>(client: T, around: (method: string, call: () => Promise<unknown>) => Promise<unknown>): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'close' || prop === 'constructor') return value
      return (...args: unknown[]) => around(prop, () => Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)))
    },
  })
}
