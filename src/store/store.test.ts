import { describe, expect, it } from 'vitest'
import { testApp } from '../../test/helpers/app.js'
import { freshDb, TEST_STORE } from '../../test/helpers/store.js'
import { concurrencyContract } from './concurrency.contract.js'
import { openStore } from './open-store.js'
import { storeContract } from './store.contract.js'

storeContract({
  name: TEST_STORE,
  async open() {
    const db = freshDb({ persistent: true })
    return { store: await openStore(db.location), reopen: () => openStore(db.location), drop: () => db.drop() }
  },
})

concurrencyContract(TEST_STORE, () => testApp())

describe.skipIf(TEST_STORE !== 'postgres')('PostgreSQL schemas', () => {
  it('keep two mockclouds in one database apart, each migrated', async () => {
    const [a, b] = [freshDb(), freshDb()]
    const sa = await openStore(a.location)
    const sb = await openStore(b.location)
    try {
      await sa.transaction((q) => q.setMeta('who', 'a'))
      expect(await sb.read.getMeta('who')).toBeUndefined()
      expect(await sa.read.getMeta('who')).toBe('a')
    } finally {
      await sa.close()
      await sb.close()
      await a.drop()
      await b.drop()
    }
  })
})
