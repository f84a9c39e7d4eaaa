import { sql, type Kysely } from 'kysely'
import type { Database } from './database.js'
import { Queries } from './queries.js'
import type { TxExecutor } from './query-template.js'
import type { ResourceCache } from './resource-cache.js'
import { TouchedRecords } from './touched-records.js'

interface Job {
  fn: (q: Queries) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

const MAX_BATCH = 64

/**
 * Group commit for the one SQLite connection: the transactions that queue up
 * while one commit is under way run together in the next database
 * transaction, each inside its own savepoint, and commit once.
 *
 * SQLite runs one writer at a time anyway, so requests already wait their
 * turn; the gain is one COMMIT (and one write of each shared page) per batch
 * instead of per request. Each caller still gets its own outcome: a job that
 * throws is rolled back to its savepoint alone, and nobody hears "done" before
 * the commit that holds their change. A failed commit fails the whole batch.
 */
export class GroupCommit {
  private readonly queue: Job[] = []
  private draining = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly queries: (trx: Kysely<Database>) => Queries,
    /** Runs a statement at once on the connection inside the transaction (see TxExecutor). */
    private readonly exec?: TxExecutor,
    /** The store's resource cache: what the batch's transactions read and wrote goes in once it commits. */
    private readonly cache?: ResourceCache,
  ) {}

  /**
   * A savepoint statement: at once on the connection when it can be (a job's
   * savepoint and release went through Kysely's executor twice per change),
   * else through Kysely.
   */
  private async savepoint(trx: Kysely<Database>, statement: 'savepoint job' | 'release job' | 'rollback to job'): Promise<void> {
    if (!this.exec?.(statement, [])) await sql.raw(statement).execute(trx)
  }

  run<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject })
      if (!this.draining) {
        this.draining = true
        // NOTE: wait for the I/O callbacks already pending (other requests) to queue their transactions too.
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.commit(this.queue.splice(0, MAX_BATCH))
    } finally {
      this.draining = false
    }
  }

  private async commit(batch: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = []
    const touched = this.cache ? new TouchedRecords() : undefined
    try {
      await this.db.transaction().execute(async (trx) => {
        const q = this.queries(trx)
        if (batch.length === 1) {
          // NOTE: alone in its transaction, a job needs no savepoint: its error rolls the transaction back.
          q.touched = touched
          outcomes.push({ ok: true, value: await batch[0]!.fn(q) })
          return
        }
        for (const job of batch) {
          await this.savepoint(trx, 'savepoint job')
          const own = touched && new TouchedRecords()
          q.touched = own
          try {
            const value = await job.fn(q)
            await this.savepoint(trx, 'release job')
            if (own) touched.merge(own)
            outcomes.push({ ok: true, value })
          } catch (error) {
            await this.savepoint(trx, 'rollback to job')
            await this.savepoint(trx, 'release job')
            outcomes.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error)
      else for (const job of batch) job.reject(error)
      return
    }
    // NOTE: before anyone hears "done": a caller's next read finds what it just wrote.
    if (touched && this.cache) touched.applyTo(this.cache)
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) job.resolve(outcome.value)
      else job.reject(outcome.error)
    })
  }
}
