import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { storeContract, storeDurabilityContract } from './contract/store.contract.js';
import { openEmbeddedBackends } from './embedded.js';
import { isBackendError } from './errors.js';
import { openSqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'twilio-lab-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshPath(): string {
  counter += 1;
  return join(root, `store-${counter}.sqlite`);
}

storeContract('sqlite (file, synchronous=full, writer thread)', () => openSqliteStore({ path: freshPath() }));
storeContract('sqlite (file, synchronous=full, inline writer)', () =>
  openSqliteStore({ path: freshPath(), writer: 'inline' }),
);
storeContract('sqlite (file, synchronous=normal)', () =>
  openSqliteStore({ path: freshPath(), synchronous: 'normal' }),
);

const crashPath = freshPath();
storeDurabilityContract('sqlite', {
  spawnWriter: (rows) =>
    spawn(
      process.execPath,
      [fileURLToPath(new URL('./sqlite-crash-writer.js', import.meta.url)), crashPath, String(rows)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  reopen: () => openSqliteStore({ path: crashPath }),
});

describe('openSqliteStore', () => {
  it('commits on the writer thread while this thread stays free to read', async () => {
    const store = await openSqliteStore({ path: freshPath() });
    try {
      await store.migrate([{ id: 't-1', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }]);
      // Many writes in flight at once: while the thread commits one batch the rest queue up,
      // so they need far fewer commits than calls; every one is readable once resolved.
      const writes = Array.from({ length: 500 }, (_, i) =>
        store.write([{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [i, `v${i}`] }]),
      );
      const before = await store.get<{ n: number }>('SELECT COUNT(*) AS n FROM t');
      assert.ok(before !== undefined && before.n < 500, 'reads do not wait for pending writes');
      await Promise.all(writes);
      assert.deepEqual(await store.get('SELECT COUNT(*) AS n FROM t'), { n: 500 });
      const stats = store.stats?.();
      assert.ok(stats !== undefined && stats.writes === 500 && stats.commits < 500);
    } finally {
      await store.close();
    }
  });

  it('opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout', async () => {
    const store = await openSqliteStore({ path: freshPath() });
    try {
      assert.equal(store.kind, 'sqlite');
      assert.deepEqual({ ...(await store.get('PRAGMA journal_mode')) }, { journal_mode: 'wal' });
      assert.deepEqual({ ...(await store.get('PRAGMA synchronous')) }, { synchronous: 2 });
      assert.deepEqual({ ...(await store.get('PRAGMA foreign_keys')) }, { foreign_keys: 1 });
      assert.deepEqual({ ...(await store.get('PRAGMA busy_timeout')) }, { timeout: 5_000 });
    } finally {
      await store.close();
    }
  });

  it('keeps data and the migration record across a reopen', async () => {
    const path = freshPath();
    const migrations = [{ id: 'm-001', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY)' }];
    const first = await openSqliteStore({ path });
    await first.migrate(migrations);
    await first.write([{ sql: 'INSERT INTO t (id) VALUES (?)', params: [1] }]);
    await first.close();

    const second = await openSqliteStore({ path });
    try {
      await second.migrate(migrations); // would fail on CREATE TABLE if not recorded
      assert.deepEqual(
        (await second.all<{ id: number }>('SELECT id FROM t')).map((r) => r.id),
        [1],
      );
      const record = await second.all<{ id: string }>('SELECT id FROM _migrations');
      assert.deepEqual(
        record.map((r) => r.id),
        ['m-001'],
      );
    } finally {
      await second.close();
    }
  });

  it('enforces foreign keys as STORE_CONSTRAINT', async () => {
    const store = await openSqliteStore({ path: freshPath() });
    try {
      await store.migrate([
        {
          id: 'fk-001',
          sql:
            'CREATE TABLE parent (id INTEGER PRIMARY KEY);' +
            'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))',
        },
      ]);
      await assert.rejects(
        store.write([{ sql: 'INSERT INTO child (id, parent_id) VALUES (?, ?)', params: [1, 42] }]),
        (error: unknown) => isBackendError(error, 'STORE_CONSTRAINT'),
      );
    } finally {
      await store.close();
    }
  });

  it('splits a burst larger than maxBatch into several commits', async () => {
    const store = await openSqliteStore({ path: freshPath(), maxBatch: 10 });
    try {
      await store.migrate([{ id: 'b-001', sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY)' }]);
      const before = store.stats!();
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.write([{ sql: 'INSERT INTO t (id) VALUES (?)', params: [i] }]),
        ),
      );
      const after = store.stats!();
      assert.equal(after.writes - before.writes, 25);
      assert.equal(after.commits - before.commits, 3);
    } finally {
      await store.close();
    }
  });

  it('rejects with STORE_QUERY_FAILED when the file cannot be opened', async () => {
    await assert.rejects(
      openSqliteStore({ path: join(root, 'no-such-dir', 'x.sqlite') }),
      (error: unknown) => isBackendError(error, 'STORE_QUERY_FAILED') && /no-such-dir/.test(error.message),
    );
  });
});

describe('openEmbeddedBackends', () => {
  it('creates <dataDir>/cell.sqlite and closes every backend', async () => {
    const dataDir = join(root, 'nested', 'data');
    const backends = await openEmbeddedBackends({ dataDir });
    assert.equal(backends.store.kind, 'sqlite');
    assert.equal(backends.queue.kind, 'memory');
    assert.equal(backends.cache.kind, 'memory');
    assert.ok(existsSync(join(dataDir, 'cell.sqlite')));
    await backends.close();
    await backends.close();
    await assert.rejects(backends.store.get('SELECT 1'), (e: unknown) => isBackendError(e, 'STORE_CLOSED'));
    await assert.rejects(backends.queue.publish('t', [{ key: 'k', value: '{}' }]), (e: unknown) =>
      isBackendError(e, 'QUEUE_CLOSED'),
    );
    await assert.rejects(backends.cache.get('k'), (e: unknown) => isBackendError(e, 'CACHE_CLOSED'));
  });

  it('uses an in-memory store when ephemeral and writes no file', async () => {
    const backends = await openEmbeddedBackends({ ephemeral: true, dataDir: join(root, 'unused') });
    try {
      assert.equal(backends.store.kind, 'memory');
      assert.equal(existsSync(join(root, 'unused')), false);
    } finally {
      await backends.close();
    }
  });
});
