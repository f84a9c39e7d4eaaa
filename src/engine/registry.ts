import type { KindDef } from './define-kind.js'

/**
 * Every declared kind, looked up by id (`compute.server`) or by any of its
 * names (`vm`, `server`).
 */
export class KindRegistry {
  private readonly byId = new Map<string, KindDef>()
  private readonly byName = new Map<string, KindDef>()

  constructor(defs: ReadonlyArray<KindDef<never>>) {
    for (const d of defs as unknown as KindDef[]) {
      if (this.byId.has(d.id)) throw new Error(`kind ${d.id} is declared twice`)
      this.byId.set(d.id, d)
      for (const n of [d.id, ...d.names]) {
        if (this.byName.has(n)) throw new Error(`kind name '${n}' is used twice`)
        this.byName.set(n, d)
      }
    }
  }

  get(id: string): KindDef {
    const d = this.byId.get(id)
    if (!d) throw new Error(`unknown kind ${id}`)
    return d
  }

  resolve(name: string): KindDef | undefined {
    return this.byName.get(name)
  }

  /** Every name a user may use for a kind. */
  aliases(): string[] {
    return [...this.byName.keys()].filter((n) => !n.includes('.'))
  }

  all(): KindDef[] {
    return [...this.byId.values()]
  }

  /** The data filters kinds declare indexed, for the store to index (see KindDef.indexed). */
  filterIndexes(): Array<{ kind: string; field: string }> {
    return this.all().flatMap((d) => (d.indexed ?? []).map((field) => ({ kind: d.id, field })))
  }
}
