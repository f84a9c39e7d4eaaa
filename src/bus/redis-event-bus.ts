import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import type { EventBus } from '../engine/event-bus.js'
import type { EventRecord } from '../store/records.js'

/**
 * Events across nodes through Redis pub/sub: a node publishes what it
 * committed, and every node (itself included) hands what arrives to its own
 * subscribers, so an event stream opened on any node sees every change.
 * `notices` carries the other cross-node messages (settings changed).
 *
 * @example
 * const bus = await RedisEventBus.connect('redis://127.0.0.1:6379', 'mockcloud:team-a')
 */
export class RedisEventBus implements EventBus {
  private readonly local = new EventEmitter()

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
  ) {
    this.local.setMaxListeners(0)
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString()
      if (name === `${this.channel}:events`) {
        for (const e of JSON.parse(message.toString()) as EventRecord[]) this.local.emit('event', e)
      } else if (name === `${this.channel}:notices`) {
        this.local.emit('notice', JSON.parse(message.toString()) as Record<string, unknown>)
      }
    })
  }

  static async connect(url: string, channel: string): Promise<RedisEventBus> {
    const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null })
    const sub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null })
    try {
      await Promise.all([pub.connect(), sub.connect()])
      await sub.subscribe(`${channel}:events`, `${channel}:notices`)
    } catch (err) {
      pub.disconnect()
      sub.disconnect()
      throw new Error(`cannot reach Redis at ${url.replace(/\/\/[^@]*@/, '//***@')} (--queue): ${(err as Error).message}`)
    }
    return new RedisEventBus(pub, sub, channel)
  }

  publish(events: readonly EventRecord[]): void {
    if (events.length) void this.pub.publish(`${this.channel}:events`, JSON.stringify(events))
  }

  subscribe(fn: (event: EventRecord) => void): () => void {
    this.local.on('event', fn)
    return () => this.local.off('event', fn)
  }

  /** Tells every node something changed (`{ type: 'settings' }`). */
  async notify(notice: Record<string, unknown>): Promise<void> {
    await this.pub.publish(`${this.channel}:notices`, JSON.stringify(notice))
  }

  onNotice(fn: (notice: Record<string, unknown>) => void): () => void {
    this.local.on('notice', fn)
    return () => this.local.off('notice', fn)
  }

  async close(): Promise<void> {
    this.sub.disconnect()
    await this.pub.quit().catch(() => this.pub.disconnect())
  }
}
