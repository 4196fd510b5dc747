/**
 * Every other package's migrations must run on PostgreSQL. They are loaded through the
 * packages' public entry points at run time: backends cannot depend on them at build time
 * (they depend on backends), so these packages must be built before this test runs.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Migration, Store } from '../types.js';
import { openPostgresStore } from './postgres-store.js';
import { DATABASE_URL, dropSchemas, uniqueSchema } from './test-support.js';

interface WithMigrations {
  migrations?: readonly Migration[];
}

/** Specifiers in variables: tsc must not try to resolve packages that are built after this one. */
async function load<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

async function allMigrations(): Promise<Record<string, readonly Migration[]>> {
  const identity = await load<{ identityMigrations: readonly Migration[] }>('@twilio-lab/identity');
  const cell = await load<{ WEBHOOK_MIGRATIONS: readonly Migration[] }>('@twilio-lab/cell');
  const messaging = await load<{
    messagingModule: () => WithMigrations;
    numbersModule: () => WithMigrations;
  }>('@twilio-lab/messaging');
  return {
    identity: identity.identityMigrations,
    webhooks: cell.WEBHOOK_MIGRATIONS,
    numbers: messaging.numbersModule().migrations ?? [],
    messaging: messaging.messagingModule().migrations ?? [],
  };
}

const schemas = new Set<string>();
after(() => dropSchemas(schemas));

async function openFresh(): Promise<Store> {
  const schema = uniqueSchema('packages');
  schemas.add(schema);
  return openPostgresStore({ url: DATABASE_URL, schema });
}

function messageParams(sid: string, status: string): (string | number | null)[] {
  // sid, account_sid, direction, status, from, to, body, segments, encoding, media, media_urls,
  // service, callback, validity, send_at, error_code, error_message, price, created, updated, sent
  return [
    sid,
    'AC1',
    'outbound-api',
    status,
    '+15550001',
    '+15550002',
    'hi',
    1,
    'GSM-7',
    0,
    '[]',
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    1_700_000_000_000,
    1_700_000_000_000,
    null,
  ];
}
const INSERT_MESSAGE = `INSERT INTO messages (sid, account_sid, direction, status, from_number, to_number, body,
  num_segments, encoding, num_media, media_urls, messaging_service_sid, status_callback, validity_period,
  send_at, error_code, error_message, price, date_created, date_updated, date_sent)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

describe('other packages’ migrations on PostgreSQL', () => {
  it('apply in full, in order, and a second run finds nothing to do', async () => {
    const lists = await allMigrations();
    const store = await openFresh();
    try {
      for (const [name, list] of Object.entries(lists)) {
        assert.ok(list.length > 0, `${name} has migrations`);
        await store.migrate(list);
        await store.migrate(list);
      }
      const applied = await store.all<{ id: string }>('SELECT id FROM _migrations');
      assert.equal(applied.length, Object.values(lists).flat().length);
    } finally {
      await store.close();
    }
  });

  it('keeps message_status_counts exact through inserts, status changes and deletes', async () => {
    const lists = await allMigrations();
    const store = await openFresh();
    try {
      await store.migrate(lists['numbers']!);
      await store.migrate(lists['messaging']!);
      // Concurrent batches on different connections, as the group committer runs them.
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          store.write([{ sql: INSERT_MESSAGE, params: messageParams(`SM${i}`, 'accepted') }]),
        ),
      );
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.write([{ sql: 'UPDATE messages SET status = ? WHERE sid = ?', params: ['sent', `SM${i}`] }]),
        ),
      );
      await store.write([
        { sql: 'UPDATE messages SET status = ? WHERE sid = ?', params: ['sent', 'SM0'] }, // unchanged
        { sql: 'UPDATE messages SET body = ? WHERE sid = ?', params: ['', 'SM1'] }, // not the status
        { sql: 'DELETE FROM messages WHERE sid = ?', params: ['SM59'] },
      ]);
      const counts = await store.all<{ status: string; n: number }>(
        'SELECT status, n FROM message_status_counts ORDER BY status',
      );
      assert.deepEqual(
        counts.map((r) => ({ ...r })),
        [
          { status: 'accepted', n: 19 },
          { status: 'sent', n: 40 },
        ],
      );
    } finally {
      await store.close();
    }
  });
});
