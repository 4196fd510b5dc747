import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeContract } from './contract/store.contract.js';
import { openMemoryStore } from './sqlite-store.js';

storeContract('memory (sqlite :memory:)', () => openMemoryStore());

describe('openMemoryStore', () => {
  it('is kind memory and shares nothing between instances', async () => {
    const a = await openMemoryStore();
    const b = await openMemoryStore();
    try {
      assert.equal(a.kind, 'memory');
      await a.migrate([{ id: 'x-001', sql: 'CREATE TABLE only_in_a (id INTEGER)' }]);
      assert.deepEqual(await a.all('SELECT id FROM only_in_a'), []);
      await assert.rejects(b.all('SELECT id FROM only_in_a'));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
