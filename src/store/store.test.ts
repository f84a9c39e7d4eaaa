import { freshDb, TEST_STORE } from '../../test/helpers/store.js'
import { openStore } from './open-store.js'
import { storeContract } from './store.contract.js'

storeContract({
  name: TEST_STORE,
  async open() {
    const db = freshDb({ persistent: true })
    return { store: await openStore(db.location), reopen: () => openStore(db.location), drop: () => db.drop() }
  },
})
