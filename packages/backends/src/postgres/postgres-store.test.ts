import assert from 'node:assert/strict';
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isBackendError, isBackendUnavailable } from '../errors.js';
import type { Store } from '../types.js';
import { openPostgresStore } from './postgres-store.js';
import type { PostgresStoreOptions } from './postgres-store.js';
import { DATABASE_URL, adminClient, dropSchemas, uniqueSchema } from './test-support.js';

const schemas = new Set<string>();
const open: Store[] = [];
let admin: pg.Client;

async function openStore(label: string, extra: Partial<PostgresStoreOptions> = {}): Promise<Store> {
  const schema = extra.schema ?? uniqueSchema(label);
  schemas.add(schema);
  const store = await openPostgresStore({ url: DATABASE_URL, schema, ...extra });
  open.push(store);
  return store;
}

const ITEMS = [{ id: 'items-001', sql: 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' }];
const insertItem = (id: number) => ({
  sql: 'INSERT INTO items (id, name) VALUES (?, ?)',
  params: [id, `n${id}`],
});

before(async () => {
  admin = await adminClient();
});
after(async () => {
  for (const store of open) await store.close();
  await admin.end();
  await dropSchemas(schemas);
});

describe('openPostgresStore', () => {
  it('creates the schema and keeps every table of the store in it', async () => {
    const schema = uniqueSchema('schema');
    const store = await openStore('schema', { schema });
    assert.equal(store.kind, 'postgres');
    await store.migrate(ITEMS);
    const tables = await admin.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      ['_migrations', 'items'],
    );
    const types = await admin.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'items' AND column_name = 'id'",
      [schema],
    );
    assert.equal(types.rows[0]?.data_type, 'bigint', 'portable INTEGER becomes BIGINT');
  });

  it('keeps two schemas apart on one database', async () => {
    const a = await openStore('iso_a');
    const b = await openStore('iso_b');
    await a.migrate(ITEMS);
    await b.migrate(ITEMS);
    await a.write([insertItem(1)]);
    assert.deepEqual(await b.all('SELECT id FROM items'), []);
    assert.deepEqual(await a.all('SELECT id FROM items'), [{ id: 1 }]);
  });

  it('refuses a schema name that would need quoting', async () => {
    await assert.rejects(openPostgresStore({ url: DATABASE_URL, schema: 'Bad-Name' }), (error: unknown) =>
      isBackendError(error, 'INVALID_ARGUMENT'),
    );
  });

  it('fails to open with STORE_UNAVAILABLE when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(
      openPostgresStore({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, schema: 'unused' }),
      (error: unknown) => {
        assert.ok(isBackendError(error, 'STORE_UNAVAILABLE'), String(error));
        assert.ok(isBackendUnavailable(error), 'marked unavailable');
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      },
    );
  });
});

describe('rows', () => {
  it('returns int8 and numeric as numbers, booleans as 1/0, past 2^53 as bigint', async () => {
    const store = await openStore('types');
    await store.migrate([{ id: 't-1', sql: 'CREATE TABLE v (i INTEGER, r REAL)' }]);
    await store.write([
      { sql: 'INSERT INTO v (i, r) VALUES (?, ?)', params: [1_700_000_000_000, 0.5] },
      { sql: 'INSERT INTO v (i, r) VALUES (?, ?)', params: [2, 1.25] },
    ]);
    const row = await store.get(
      'SELECT COUNT(*) AS n, SUM(i) AS total, AVG(r) AS mean, MAX(i) AS top, 1 = 1 AS yes, 1 = 2 AS no, ' +
        '9007199254740993::bigint AS huge FROM v',
    );
    assert.deepEqual(
      { ...row },
      {
        n: 2,
        total: 1_700_000_000_002,
        mean: 0.875,
        top: 1_700_000_000_000,
        yes: 1,
        no: 0,
        huge: 9007199254740993n,
      },
    );
  });

  it('leaves the process-global pg type parsers alone', async () => {
    await openStore('global');
    assert.equal(pg.types.getTypeParser(20, 'text')('5'), '5');
  });
});

describe('migrate', () => {
  it('runs the postgres variant of a migration when one is given', async () => {
    const store = await openStore('variant');
    await store.migrate([
      { id: 'v-1', sql: 'CREATE TABLE sqlite_only (x INTEGER)', postgres: 'CREATE TABLE pg_only (x BIGINT)' },
    ]);
    assert.deepEqual(await store.all('SELECT x FROM pg_only'), []);
    await assert.rejects(store.all('SELECT x FROM sqlite_only'), (error: unknown) =>
      isBackendError(error, 'STORE_QUERY_FAILED'),
    );
  });

  it('applies each migration once when two stores migrate one schema at the same time', async () => {
    const schema = uniqueSchema('race');
    const a = await openStore('race', { schema });
    const b = await openStore('race', { schema });
    const migrations = [
      ...ITEMS,
      // Applied twice it would break the primary key.
      { id: 'items-002-seed', sql: "INSERT INTO items (id, name) VALUES (1, 'seed')" },
    ];
    await Promise.all([a.migrate(migrations), b.migrate(migrations)]);
    assert.deepEqual(await a.all('SELECT id FROM items'), [{ id: 1 }]);
    assert.deepEqual(
      (await a.all<{ id: string }>('SELECT id FROM _migrations ORDER BY id')).map((r) => r.id),
      ['items-001', 'items-002-seed'],
    );
  });
});

describe('group commit', () => {
  it('carries many concurrent writes in far fewer transactions', async () => {
    const store = await openStore('batching');
    await store.migrate(ITEMS);
    const before = store.stats!();
    // Waves of writes, as concurrent requests arrive: later waves queue behind the batches in flight.
    const waves = await Promise.all(
      Array.from({ length: 10 }, async (_, wave) => {
        await new Promise((resolve) => setImmediate(resolve));
        return Promise.all(Array.from({ length: 100 }, (_, i) => store.write([insertItem(wave * 100 + i)])));
      }),
    );
    assert.equal(waves.flat().length, 1_000);
    const after = store.stats!();
    assert.equal(after.writes - before.writes, 1_000);
    assert.ok(
      after.commits - before.commits <= 20,
      `${after.commits - before.commits} commits for 1,000 writes`,
    );
    assert.deepEqual(await store.get('SELECT COUNT(*) AS n FROM items'), { n: 1_000 });
  });

  it('rejects exactly the failing callers when several fail in one batch', async () => {
    const store = await openStore('failures');
    await store.migrate(ITEMS);
    await store.write([insertItem(0)]);
    const failing = new Set([3, 17, 18, 40]);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        store.write(failing.has(i) ? [insertItem(1_000 + i), insertItem(0)] : [insertItem(i + 1)]),
      ),
    );
    results.forEach((result, i) => {
      if (failing.has(i)) {
        assert.equal(result.status, 'rejected', `caller ${i}`);
        assert.ok(isBackendError(result.reason, 'STORE_CONSTRAINT'), String(result.reason));
      } else {
        assert.deepEqual(result, { status: 'fulfilled', value: [1] }, `caller ${i}`);
      }
    });
    const ids = (await store.all<{ id: number }>('SELECT id FROM items ORDER BY id')).map((r) => r.id);
    assert.equal(ids.length, 1 + 46);
    assert.ok(
      ids.every((id) => id < 1_000),
      'no op of a failing caller stayed',
    );
  });
});

describe('connection loss', () => {
  async function terminate(applicationName: string): Promise<number> {
    const result = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return result.rowCount ?? 0;
  }

  it('recovers by itself when its connections are killed', async () => {
    const applicationName = uniqueSchema('reconnect');
    const store = await openStore('reconnect', { applicationName });
    await store.migrate(ITEMS);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write([insertItem(i)])));
    assert.ok((await terminate(applicationName)) > 0, 'the store had connections to kill');

    assert.deepEqual(await store.write([insertItem(100)]), [1]);
    assert.deepEqual(await store.get('SELECT COUNT(*) AS n FROM items'), { n: 21 });

    await terminate(applicationName);
    assert.deepEqual(await store.get('SELECT COUNT(*) AS n FROM items'), { n: 21 });
  });

  it('rejects queries with STORE_UNAVAILABLE while the server cannot be reached', async () => {
    // A proxy stands in for the server so the test can take it away.
    const target = new URL(DATABASE_URL);
    const sockets = new Set<Socket>();
    const proxy = createServer((inbound) => {
      const outbound = createConnection(Number(target.port || 5432), target.hostname);
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const drop = (): void => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('error', drop).on('close', drop);
      outbound.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as { port: number };
    const url = new URL(DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const store = await openStore('outage', { url: url.toString(), connectTimeoutMs: 1_000 });
    await store.migrate(ITEMS);
    await store.write([insertItem(1)]);

    await new Promise<void>((resolve) => {
      proxy.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    const failures = await Promise.allSettled([
      store.write([insertItem(2)]),
      store.all('SELECT id FROM items'),
    ]);
    for (const failure of failures) {
      assert.equal(failure.status, 'rejected');
      assert.ok(isBackendError(failure.reason, 'STORE_UNAVAILABLE'), String(failure.reason));
      assert.ok(isBackendUnavailable(failure.reason), `marked unavailable: ${String(failure.reason)}`);
      assert.match(failure.reason.message, /PostgreSQL is unreachable/);
    }

    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    try {
      assert.deepEqual(await store.write([insertItem(3)]), [1]);
      assert.deepEqual(
        (await store.all<{ id: number }>('SELECT id FROM items ORDER BY id')).map((r) => r.id),
        [1, 3],
      );
    } finally {
      await store.close();
      await new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    }
  });
});
