import { EventEmitter } from 'node:events'
import type { EventRecord } from '../store/records.js'

/**
 * Where committed state changes are announced. The in-process bus serves one
 * node; a shared deployment swaps in one backed by Redis pub/sub.
 */
export interface EventBus {
  publish(events: readonly EventRecord[]): void
  subscribe(fn: (event: EventRecord) => void): () => void
}

/** Delivers events to subscribers in this process, in commit order. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter()

  constructor() {
    this.emitter.setMaxListeners(0)
  }

  publish(events: readonly EventRecord[]): void {
    for (const e of events) this.emitter.emit('event', e)
  }

  subscribe(fn: (event: EventRecord) => void): () => void {
    this.emitter.on('event', fn)
    return () => this.emitter.off('event', fn)
  }
}
