import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '@twilio-lab/backends';
import type { Store, WriteOp } from '@twilio-lab/backends';
import type { CellContext } from '@twilio-lab/cell';
import { buildMessage, insertOps } from '../messages/rows.js';
import { messagingMigrations } from '../messages/schema.js';
import type { MessageRow, MessageStatus } from '../messages/schema.js';
import { InFlightMessages } from './in-flight.js';
import { StatusBatch, commitStatus } from './status.js';
import type { StatusChange } from './status.js';

/** A store whose next write can be made to fail (the rest is the real embedded store). */
class FlakyStore {
  failNext = false;
  reads = 0;
  constructor(readonly inner: Store) {}
  write(ops: readonly WriteOp[]): Promise<number[]> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    return this.inner.write(ops);
  }
  all<T extends object>(sql: string, params?: readonly (string | number | null)[]): Promise<T[]> {
    this.reads++;
    return this.inner.all<T>(sql, params);
  }
}

describe('in-flight message cache', () => {
  let inner: Store;
  let store: FlakyStore;
  let ctx: CellContext;
  let clock = 1_700_000_000_000;

  before(async () => {
    inner = await openMemoryStore();
    await inner.migrate(messagingMigrations);
    store = new FlakyStore(inner);
    // Only what status changes touch; messages here have no status callback.
    ctx = {
      store: store as unknown as Store,
      webhooks: { enqueueOps: () => [], flush: () => undefined },
    } as unknown as CellContext;
  });
  after(() => inner.close());

  async function createMessage(
    status: MessageStatus = 'queued',
    sendAt: number | null = null,
  ): Promise<MessageRow> {
    clock += 1000;
    const { message, media } = buildMessage({
      accountSid: 'AC' + '1'.repeat(32),
      direction: 'outbound-api',
      status,
      from: '+14155550100',
      to: '+14155550101',
      body: 'hello',
      encoding: 'GSM-7',
      segments: 1,
      mediaUrls: [],
      messagingServiceSid: null,
      statusCallback: null,
      validityPeriod: null,
      sendAt,
      dateSent: null,
      now: clock,
    });
    await inner.write(insertOps(message, media));
    return message;
  }

  function stored(sid: string): Promise<MessageRow | undefined> {
    return inner.get<MessageRow>('SELECT * FROM messages WHERE sid = ?', [sid]);
  }

  /** Loads, changes and commits like the sender and the receipt applier do. */
  async function change(cache: InFlightMessages, sid: string, to: StatusChange): Promise<void> {
    const rows = await cache.load(ctx.store, [sid]);
    const row = rows.get(sid);
    assert.ok(row, `${sid} loaded`);
    const batch = new StatusBatch();
    batch.change(ctx, row, to, ++clock);
    await commitStatus(ctx, batch.ops());
    cache.committed(batch.changed);
  }

  it('serves held rows without a store read, as copies the caller may change', async () => {
    const cache = new InFlightMessages();
    const row = await createMessage();
    cache.add(row);
    const reads = store.reads;
    const loaded = (await cache.load(ctx.store, [row.sid])).get(row.sid);
    assert.equal(store.reads, reads);
    assert.deepEqual(loaded, row);
    assert.notEqual(loaded, row);
    if (loaded) loaded.status = 'sent';
    assert.equal(cache.peek(row.sid)?.status, 'queued');
  });

  it('reflects a committed change, and lets go of a message once it is terminal', async () => {
    const cache = new InFlightMessages();
    const row = await createMessage();
    cache.add(row);
    await change(cache, row.sid, { status: 'sent', dateSent: clock, price: '-0.0079' });
    assert.deepEqual(cache.peek(row.sid), await stored(row.sid));
    assert.equal(cache.peek(row.sid)?.status, 'sent');
    await change(cache, row.sid, { status: 'delivered', errorCode: null });
    assert.equal(cache.peek(row.sid), undefined);
    assert.equal(cache.size, 0);
  });

  it('keeps matching the store when a status write fails', async () => {
    const cache = new InFlightMessages();
    const row = await createMessage();
    cache.add(row);
    store.failNext = true;
    await assert.rejects(change(cache, row.sid, { status: 'sent', dateSent: clock }), /disk full/);
    const afterFailure = await stored(row.sid);
    assert.equal(afterFailure?.status, 'queued');
    assert.deepEqual(cache.peek(row.sid), afterFailure);
    // The retry starts from the committed state and lands.
    await change(cache, row.sid, { status: 'sent', dateSent: clock });
    assert.deepEqual(cache.peek(row.sid), await stored(row.sid));
  });

  it('drops an entry that another path replaced while a copy was out', async () => {
    const cache = new InFlightMessages();
    const row = await createMessage();
    cache.add(row);
    const copy = (await cache.load(ctx.store, [row.sid])).get(row.sid);
    assert.ok(copy);
    cache.redacted(row.sid, ++clock);
    assert.equal(cache.peek(row.sid)?.body, '');
    assert.equal(row.body, 'hello', 'the held row itself is never mutated');
    copy.status = 'sent';
    cache.committed([copy]);
    assert.equal(cache.peek(row.sid), undefined, 'the stale copy (old body) is not swapped in');
  });

  it('does not bring back a message forgotten (deleted) while a copy was out', async () => {
    const cache = new InFlightMessages();
    const row = await createMessage();
    cache.add(row);
    const copy = (await cache.load(ctx.store, [row.sid])).get(row.sid);
    assert.ok(copy);
    cache.forget(row.sid);
    cache.committed([copy]);
    assert.equal(cache.size, 0);
  });

  it('never holds scheduled or terminal messages', async () => {
    const cache = new InFlightMessages();
    cache.add(await createMessage('scheduled', clock + 60_000));
    cache.add(await createMessage('failed'));
    assert.equal(cache.size, 0);
  });

  it('evicts the oldest past its capacity; an evicted message is read from the store', async () => {
    const cache = new InFlightMessages(2);
    const [a, b, c] = [await createMessage(), await createMessage(), await createMessage()];
    assert.ok(a && b && c);
    cache.add(a);
    cache.add(b);
    await change(cache, a.sid, { status: 'sent', dateSent: clock }); // a swap keeps a's place
    cache.add(c);
    assert.equal(cache.size, 2);
    assert.equal(cache.peek(a.sid), undefined);
    const reads = store.reads;
    const loaded = await cache.load(ctx.store, [a.sid, b.sid, c.sid]);
    assert.equal(store.reads, reads + 1);
    assert.deepEqual(loaded.get(a.sid), await stored(a.sid));
    assert.equal(loaded.get(a.sid)?.status, 'sent');
    // Committing a row read from the store does not put it back.
    const fromStore = loaded.get(a.sid);
    assert.ok(fromStore);
    cache.committed([fromStore]);
    assert.equal(cache.peek(a.sid), undefined);
  });
});
