/**
 * The Store contract: one suite every Store implementation must pass (embedded SQLite today,
 * the Postgres adapter later). Each test gets a fresh, empty store from the factory and
 * closes it afterwards.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isBackendError } from '../errors.js';
import type { BackendErrorCode } from '../errors.js';
import type { Migration, Store, WriteOp } from '../types.js';

export type StoreFactory = () => Promise<Store>;

const ITEMS_TABLE: Migration = {
  id: 'contract-001-items',
  sql: 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0)',
};
const ITEMS_SEED: Migration = {
  id: 'contract-002-seed',
  // Running it twice would break the primary key: proves a migration runs once.
  sql: "INSERT INTO items (id, name, qty) VALUES (1, 'seed', 5)",
};
const ITEMS_EXTRA_COLUMN: Migration = {
  id: 'contract-003-extra',
  sql: 'ALTER TABLE items ADD COLUMN note TEXT',
};
const VALUES_TABLE: Migration = {
  id: 'contract-004-values',
  sql: 'CREATE TABLE vals (k TEXT PRIMARY KEY, t TEXT, i INTEGER, r REAL, b BLOB)',
};

function insertItem(id: number, name = `item-${id}`): WriteOp {
  return { sql: 'INSERT INTO items (id, name) VALUES (?, ?)', params: [id, name] };
}

async function rejectsWithCode(promise: Promise<unknown>, code: BackendErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isBackendError(error, code), `expected a BackendError ${code}, got ${String(error)}`);
    return true;
  });
}

async function countItems(store: Store): Promise<number> {
  const row = await store.get<{ n: number }>('SELECT COUNT(*) AS n FROM items');
  return Number(row?.n);
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('migrate', () => {
      it('applies migrations in order, once, and later only the new ones', async () => {
        await store.migrate([ITEMS_TABLE, ITEMS_SEED]);
        await store.migrate([ITEMS_TABLE, ITEMS_SEED]);
        assert.equal(await countItems(store), 1);

        await store.migrate([ITEMS_TABLE, ITEMS_SEED, ITEMS_EXTRA_COLUMN]);
        await store.migrate([ITEMS_TABLE, ITEMS_SEED, ITEMS_EXTRA_COLUMN]);
        const seed = await store.get<{ name: string; note: string | null }>(
          'SELECT name, note FROM items WHERE id = ?',
          [1],
        );
        assert.deepEqual({ ...seed }, { name: 'seed', note: null });
      });

      it('rolls a failing migration back, stops there, and retries it next time', async () => {
        const broken: Migration = {
          id: 'contract-005-broken',
          sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1)',
        };
        const after: Migration = { id: 'contract-006-after', sql: 'CREATE TABLE after_broken (x INTEGER)' };
        await assert.rejects(store.migrate([ITEMS_TABLE, broken, after]), (error: unknown) => {
          assert.ok(isBackendError(error, 'STORE_MIGRATION_FAILED'), String(error));
          assert.match(error.message, /contract-005-broken/);
          return true;
        });
        assert.equal(await countItems(store), 0, 'the migration before the broken one stays applied');
        await rejectsWithCode(store.get('SELECT x FROM half_done'), 'STORE_QUERY_FAILED');
        await rejectsWithCode(store.get('SELECT x FROM after_broken'), 'STORE_QUERY_FAILED');

        const fixed: Migration = { id: broken.id, sql: 'CREATE TABLE half_done (x INTEGER)' };
        await store.migrate([ITEMS_TABLE, fixed, after]);
        assert.deepEqual(await store.all('SELECT x FROM after_broken'), []);
      });

      it('refuses a list that names one id twice', async () => {
        await rejectsWithCode(store.migrate([ITEMS_TABLE, ITEMS_TABLE]), 'INVALID_ARGUMENT');
      });
    });

    describe('write and read', () => {
      beforeEach(async () => {
        await store.migrate([ITEMS_TABLE, VALUES_TABLE]);
      });

      it('resolves with the rows each op changed, and reads see the committed rows', async () => {
        const changes = await store.write([
          insertItem(10),
          insertItem(11),
          { sql: 'UPDATE items SET qty = qty + ? WHERE id >= ?', params: [3, 10] },
          {
            sql: 'INSERT INTO items (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
            params: [10, 'x'],
          },
          { sql: 'DELETE FROM items WHERE id = ?', params: [999] },
        ]);
        assert.deepEqual(changes, [1, 1, 2, 0, 0]);
        const rows = await store.all<{ id: number; name: string; qty: number }>(
          'SELECT id, name, qty FROM items ORDER BY id',
        );
        assert.deepEqual(
          rows.map((r) => ({ ...r })),
          [
            { id: 10, name: 'item-10', qty: 3 },
            { id: 11, name: 'item-11', qty: 3 },
          ],
        );
        assert.equal(await store.get('SELECT id FROM items WHERE id = ?', [12]), undefined);
      });

      it('round-trips text, integers (bigint in, number out), reals, null and blobs', async () => {
        const blob = new Uint8Array([0, 1, 2, 250, 255]);
        await store.write([
          {
            sql: 'INSERT INTO vals (k, t, i, r, b) VALUES (?, ?, ?, ?, ?)',
            params: ['a', 'héllo ✓', 1_700_000_000_123, 2.5, blob],
          },
          {
            sql: 'INSERT INTO vals (k, t, i, r, b) VALUES (?, ?, ?, ?, ?)',
            params: ['b', null, 42n, null, null],
          },
        ]);
        const a = await store.get<{ t: string; i: number; r: number; b: Uint8Array }>(
          'SELECT t, i, r, b FROM vals WHERE k = ?',
          ['a'],
        );
        assert.ok(a);
        assert.equal(a.t, 'héllo ✓');
        assert.equal(a.i, 1_700_000_000_123);
        assert.equal(a.r, 2.5);
        assert.ok(a.b instanceof Uint8Array);
        assert.deepEqual([...a.b], [...blob]);
        const b = await store.get<{ t: null; i: unknown; r: null }>('SELECT t, i, r FROM vals WHERE k = ?', [
          'b',
        ]);
        assert.deepEqual({ ...b }, { t: null, i: 42, r: null });
      });

      it('is atomic: when one op fails, none of that call’s ops stay', async () => {
        await store.write([insertItem(1)]);
        await rejectsWithCode(store.write([insertItem(2), insertItem(3), insertItem(1)]), 'STORE_CONSTRAINT');
        assert.deepEqual(
          (await store.all<{ id: number }>('SELECT id FROM items ORDER BY id')).map((r) => r.id),
          [1],
        );
      });

      it('group-commits 100 writers of one tick; a failing one rejects alone', async () => {
        await store.write([insertItem(1_000)]);
        const before = store.stats?.();
        const failing = 37;
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) =>
            store.write(
              i === failing
                ? [insertItem(2_000), insertItem(1_000)] // duplicate key: this caller only
                : [
                    insertItem(i + 1),
                    { sql: 'UPDATE items SET qty = qty + 1 WHERE id = ?', params: [i + 1] },
                  ],
            ),
          ),
        );
        results.forEach((result, i) => {
          if (i === failing) {
            assert.equal(result.status, 'rejected');
            assert.ok(isBackendError(result.reason, 'STORE_CONSTRAINT'), String(result.reason));
          } else {
            assert.equal(
              result.status,
              'fulfilled',
              `writer ${i}: ${String((result as PromiseRejectedResult).reason)}`,
            );
            assert.deepEqual(result.value, [1, 1]);
          }
        });
        assert.equal(await countItems(store), 1 + 99);
        assert.equal(await store.get('SELECT id FROM items WHERE id = ?', [2_000]), undefined);
        const qty = await store.get<{ total: number }>('SELECT SUM(qty) AS total FROM items');
        assert.equal(Number(qty?.total), 99);

        if (before !== undefined) {
          const after = store.stats!();
          assert.equal(after.writes - before.writes, 100, 'every call was carried by a batch');
          assert.equal(after.commits - before.commits, 1, 'all 100 calls shared one transaction');
        }
      });

      it('rejects only the caller whose SQL is invalid', async () => {
        const [bad, good] = await Promise.allSettled([
          store.write([{ sql: 'INSERT INTO nowhere (x) VALUES (?)', params: [1] }]),
          store.write([insertItem(7)]),
        ]);
        assert.equal(bad.status, 'rejected');
        assert.ok(isBackendError(bad.reason, 'STORE_QUERY_FAILED'));
        assert.equal(good.status, 'fulfilled');
        assert.equal(await countItems(store), 1);
      });

      it('reports a failing read with STORE_QUERY_FAILED', async () => {
        await rejectsWithCode(store.all('SELECT * FROM nowhere'), 'STORE_QUERY_FAILED');
      });

      it('resolves an empty write with an empty result', async () => {
        assert.deepEqual(await store.write([]), []);
      });
    });

    describe('close', () => {
      it('commits writes still pending, then refuses every call with STORE_CLOSED', async () => {
        await store.migrate([ITEMS_TABLE]);
        const pending = store.write([insertItem(1)]);
        await store.close();
        assert.deepEqual(await pending, [1]);
        await rejectsWithCode(store.write([insertItem(2)]), 'STORE_CLOSED');
        await rejectsWithCode(store.all('SELECT 1'), 'STORE_CLOSED');
        await rejectsWithCode(store.get('SELECT 1'), 'STORE_CLOSED');
        await rejectsWithCode(store.migrate([ITEMS_TABLE]), 'STORE_CLOSED');
        await store.close(); // idempotent
      });
    });
  });
}

/**
 * How a durability test drives a store in another process. The child runs
 * `runDurabilityWriter` (durability-writer.ts) and is killed with SIGKILL mid-stream; then
 * the store is opened again here.
 */
export interface DurabilityHarness {
  spawnWriter(rows: number): ChildProcess;
  reopen(): Promise<Store>;
}

export function storeDurabilityContract(name: string, harness: DurabilityHarness): void {
  describe(`Store durability contract: ${name}`, () => {
    it('keeps every acknowledged row when the writer is SIGKILLed mid-stream', async (t) => {
      const total = 1_000;
      // Not a multiple of the writer's pacing step: the kill must land while writes are in flight.
      const killAfter = 333;
      const child = harness.spawnWriter(total);
      const acked: number[] = [];
      let stderr = '';
      let buffered = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          const match = /^ack (\d+)$/.exec(line);
          if (match) acked.push(Number(match[1]));
          if (acked.length === killAfter) child.kill('SIGKILL');
        }
      });
      const { code, signal } = await exited;
      assert.equal(signal, 'SIGKILL', `the writer ended by itself (code ${code}): ${stderr}`);
      assert.ok(acked.length >= killAfter, `only ${acked.length} acks before exit: ${stderr}`);
      t.diagnostic(`${acked.length} of ${total} rows acknowledged before SIGKILL`);

      const store = await harness.reopen();
      try {
        const rows = await store.all<{ id: number; payload: string }>(
          'SELECT id, payload FROM durability_rows',
        );
        const present = new Map(rows.map((r) => [Number(r.id), r.payload]));
        const lost = acked.filter((id) => !present.has(id));
        assert.deepEqual(lost, [], 'acknowledged rows lost by the crash');
        for (const [id, payload] of present) assert.equal(payload, durabilityPayload(id));
      } finally {
        await store.close();
      }
    });
  });
}

export const DURABILITY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'contract-durability-001',
    sql: 'CREATE TABLE durability_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)',
  },
];

export function durabilityPayload(id: number): string {
  return `row-${id}-${'x'.repeat(64)}`;
}
