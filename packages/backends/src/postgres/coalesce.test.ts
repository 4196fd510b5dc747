import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Store } from '../types.js';
import { arrayLiteral, parseShape } from './coalesce.js';
import { openPostgresStore } from './postgres-store.js';
import { DATABASE_URL, adminClient, dropSchemas, uniqueSchema } from './test-support.js';

describe('parseShape', () => {
  it('recognises a single-row INSERT with placeholders only', () => {
    assert.deepEqual(parseShape('INSERT INTO items (id, name) VALUES (?, ?)'), {
      kind: 'insert',
      table: 'items',
      columns: ['id', 'name'],
    });
  });

  it('recognises UPDATE … SET col = ?, … WHERE key = ?, the key last', () => {
    assert.deepEqual(parseShape('UPDATE items SET name = ?, n = ? WHERE id = ?'), {
      kind: 'update',
      table: 'items',
      columns: ['name', 'n', 'id'],
    });
  });

  it('leaves every other statement as written', () => {
    for (const sql of [
      'INSERT INTO items (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING',
      "INSERT INTO items (id, name) VALUES (?, 'x')",
      'INSERT INTO items (id, name) VALUES (?, ?), (?, ?)',
      'UPDATE items SET n = n + ? WHERE id = ?',
      'UPDATE items SET name = ? WHERE id = ? AND account = ?',
      'UPDATE items SET name = ?, name = ? WHERE id = ?',
      'DELETE FROM items WHERE id = ?',
    ]) {
      assert.equal(parseShape(sql), null, sql);
    }
  });
});

describe('arrayLiteral', () => {
  it('quotes text (escaping \\ and "), writes numbers bare and NULL for null', () => {
    const ops = [
      { sql: '', params: ['plain', 1, null] },
      { sql: '', params: ['a "quoted" \\ slash', 2.5, 'NULL'] },
    ];
    assert.equal(arrayLiteral(ops, 0), '{"plain","a \\"quoted\\" \\\\ slash"}');
    assert.equal(arrayLiteral(ops, 1), '{1,2.5}');
    assert.equal(arrayLiteral(ops, 2), '{NULL,"NULL"}');
  });
});

describe('coalesced writes on PostgreSQL', () => {
  const schemas = new Set<string>();
  let store: Store;
  let admin: pg.Client;
  let schema: string;

  before(async () => {
    admin = await adminClient();
    schema = uniqueSchema('coalesce');
    schemas.add(schema);
    store = await openPostgresStore({ url: DATABASE_URL, schema });
    await store.migrate([
      {
        id: 'items-001',
        sql: 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL, tag TEXT NOT NULL)',
      },
      {
        // Counts INSERT statements on items, to see a run go as one statement.
        id: 'items-002-statement-counter',
        sql: 'SELECT 1',
        postgres: `
          CREATE TABLE insert_statements (n BIGINT NOT NULL);
          INSERT INTO insert_statements VALUES (0);
          CREATE FUNCTION count_insert_statement() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $$ BEGIN UPDATE insert_statements SET n = n + 1; RETURN NULL; END $$;
          CREATE TRIGGER items_insert_statements AFTER INSERT ON items
            FOR EACH STATEMENT EXECUTE FUNCTION count_insert_statement();
        `,
      },
    ]);
  });
  after(async () => {
    await store.close();
    await admin.end();
    await dropSchemas(schemas);
  });

  const insert = (id: number, name: string | null) => ({
    sql: 'INSERT INTO items (id, name, score, tag) VALUES (?, ?, ?, ?)',
    params: [id, name, id / 2, `t${id}`],
  });
  const rename = (id: number, name: string) => ({
    sql: 'UPDATE items SET name = ? WHERE id = ?',
    params: [name, id],
  });

  async function insertStatements(): Promise<number> {
    const result = await admin.query<{ n: string }>(`SELECT n FROM ${schema}.insert_statements`);
    return Number(result.rows[0]?.n);
  }

  let warmId = -1;
  /** The first batches that meet a table run as written while its column types are read. */
  async function warm(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const before = await insertStatements();
      await Promise.all([store.write([insert(warmId--, 'w')]), store.write([insert(warmId--, 'w')])]);
      if ((await insertStatements()) - before === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail('runs never coalesced');
  }

  it('gives every caller its own row counts, values intact, in statement order', async () => {
    await warm();
    const tricky = 'quote " back \\ comma , brace } NULL';
    const results = await Promise.all([
      store.write([insert(1, tricky), insert(2, null)]),
      store.write([insert(3, 'c'), rename(1, 'first'), rename(3, 'third'), rename(99, 'missing')]),
      store.write([rename(1, 'again'), insert(4, 'd')]),
    ]);
    assert.deepEqual(results, [
      [1, 1],
      [1, 1, 1, 0],
      [1, 1],
    ]);
    const rows = await store.all<{ id: number; name: string | null; score: number; tag: string }>(
      'SELECT id, name, score, tag FROM items WHERE id > 0 ORDER BY id',
    );
    assert.deepEqual(rows, [
      { id: 1, name: 'again', score: 0.5, tag: 't1' },
      { id: 2, name: null, score: 1, tag: 't2' },
      { id: 3, name: 'third', score: 1.5, tag: 't3' },
      { id: 4, name: 'd', score: 2, tag: 't4' },
    ]);
  });

  it('applies an UPDATE run with a repeated key in order (the last value wins)', async () => {
    await warm();
    const results = await Promise.all([
      store.write([insert(10, 'a')]),
      store.write([rename(10, 'b'), rename(10, 'c')]),
      store.write([rename(10, 'd')]),
    ]);
    assert.deepEqual(results, [[1], [1, 1], [1]]);
    const row = await store.get<{ name: string }>('SELECT name FROM items WHERE id = ?', [10]);
    assert.equal(row?.name, 'd');
  });

  it('rejects only the caller whose row breaks a constraint inside a coalesced run', async () => {
    await warm();
    await store.write([insert(20, 'taken')]);
    const outcomes = await Promise.allSettled([
      store.write([insert(21, 'ok')]),
      store.write([insert(20, 'duplicate')]),
      store.write([insert(22, 'ok too')]),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const ids = await store.all<{ id: number }>(
      'SELECT id FROM items WHERE id BETWEEN 20 AND 22 ORDER BY id',
    );
    assert.deepEqual(
      ids.map((r) => r.id),
      [20, 21, 22],
    );
    const taken = await store.get<{ name: string }>('SELECT name FROM items WHERE id = ?', [20]);
    assert.equal(taken?.name, 'taken');
  });

  it('sends a run of like statements as one statement', async () => {
    await warm();
    const before = await insertStatements();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.write([insert(100 + i, `r${i}`)])),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 50 }, () => [1]),
    );
    assert.equal((await insertStatements()) - before, 1, 'one INSERT statement carried the 50 rows');
    const rows = await store.all<{ n: number }>('SELECT COUNT(*) AS n FROM items WHERE id >= 100');
    assert.equal(rows[0]?.n, 50);
  });
});
