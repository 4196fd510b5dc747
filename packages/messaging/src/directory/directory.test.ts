import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import { numbersMigrations } from '../numbers/schema.js';
import type { NumberRow } from '../numbers/schema.js';
import { messagingMigrations } from '../messages/schema.js';
import { startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';
import { MessagingDirectory, directoryFor, isOptedOut, numberOwnedBy, ownedNumber } from './directory.js';

const AC1 = 'AC' + '1'.repeat(32);
const AC2 = 'AC' + '2'.repeat(32);
const MG = 'MG' + '3'.repeat(32);

function numberRow(sid: string, accountSid: string, e164: string): NumberRow {
  return {
    sid,
    account_sid: accountSid,
    phone_number: e164,
    friendly_name: e164,
    sms_url: '',
    sms_method: 'POST',
    sms_fallback_url: '',
    sms_fallback_method: 'POST',
    status_callback: '',
    status_callback_method: 'POST',
    voice_url: '',
    voice_method: 'POST',
    voice_fallback_url: '',
    voice_fallback_method: 'POST',
    voice_caller_id_lookup: 0,
    date_created: 1,
    date_updated: 1,
  };
}

async function insertNumber(store: Store, row: NumberRow): Promise<void> {
  const columns = Object.keys(row) as (keyof NumberRow)[];
  await store.write([
    {
      sql: `INSERT INTO incoming_phone_numbers (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      params: columns.map((c) => row[c]),
    },
  ]);
}

describe('MessagingDirectory', () => {
  let store: Store;
  before(async () => {
    store = await openMemoryStore();
    await store.migrate(numbersMigrations);
    await store.migrate(messagingMigrations);
    await insertNumber(store, numberRow('PN1', AC1, '+14155550001'));
    await store.write([
      {
        sql: 'INSERT INTO messaging_opt_outs (account_sid, sender, recipient, date_created) VALUES (?, ?, ?, ?)',
        params: [AC1, '+14155550001', '+14155559999', 1],
      },
    ]);
  });
  after(() => store.close());

  it('answers from the store until loaded, then from memory, and follows reported changes', async () => {
    const directory = directoryFor(store);
    assert.equal(directoryFor(store), directory, 'one directory per store');
    assert.equal(directory.hasNumbers, false);
    // Not loaded: the store answers.
    assert.equal((await ownedNumber(store, AC1, '+14155550001'))?.sid, 'PN1');
    assert.equal(await isOptedOut(store, AC1, '+14155559999', ['+14155550001']), true);

    await directory.loadNumbers(store);
    await directory.loadOptOuts(store);
    assert.equal(directory.hasNumbers && directory.hasOptOuts, true);
    // A row the directory was not told about is invisible: proof the answers come from memory.
    await insertNumber(store, numberRow('PN2', AC1, '+14155550002'));
    assert.equal(await ownedNumber(store, AC1, '+14155550002'), undefined);

    directory.putNumber(numberRow('PN2', AC1, '+14155550002'));
    assert.equal((await ownedNumber(store, AC1, '+14155550002'))?.sid, 'PN2');
    assert.equal(await ownedNumber(store, AC2, '+14155550002'), undefined, 'another account does not own it');
    assert.equal((await numberOwnedBy(store, '+14155550002'))?.account_sid, AC1);
    directory.removeNumber('+14155550002');
    assert.equal(await numberOwnedBy(store, '+14155550002'), undefined);

    assert.equal(await isOptedOut(store, AC1, '+14155559999', ['+14155550001']), true);
    assert.equal(await isOptedOut(store, AC2, '+14155559999', ['+14155550001']), false);
    assert.equal(await isOptedOut(store, AC1, '+14155559999', []), false);
    directory.addOptOuts(AC1, '+14155558888', ['+14155550001', MG]);
    assert.equal(directory.optedOut(AC1, '+14155558888', [MG]), true);
    directory.removeOptOuts(AC1, '+14155558888', ['+14155550001', MG]);
    assert.equal(directory.optedOut(AC1, '+14155558888', ['+14155550001', MG]), false);
  });

  it('reads again when a change is reported while the table is being read', async () => {
    const directory = new MessagingDirectory();
    let reads = 0;
    const racing: Store = Object.create(store) as Store;
    racing.all = async <T extends object>(sql: string): Promise<T[]> => {
      reads++;
      const rows = await store.all<T>(sql);
      // The first read races with a number provisioned (written and reported) meanwhile.
      if (reads === 1) {
        await insertNumber(store, numberRow('PN3', AC2, '+14155550003'));
        directory.putNumber(numberRow('PN3', AC2, '+14155550003'));
      }
      return rows;
    };
    await directory.loadNumbers(racing);
    assert.equal(reads, 2);
    assert.equal(directory.number('+14155550003')?.sid, 'PN3');
  });
});

describe('directory on the Messages create path', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const create = (from: string, to = '+14155550999') =>
    h.call('POST', h.api('/Messages.json'), { From: from, To: to, Body: 'hi' });

  it('follows numbers being provisioned, moved between accounts and released', async () => {
    assert.equal((await create('+14155550500')).json.code, 21606);
    const number = await h.provision('+14155550500');
    assert.equal((await create('+14155550500')).status, 201);
    const released = await h.call('DELETE', h.api(`/IncomingPhoneNumbers/${String(number.sid)}.json`));
    assert.equal(released.status, 204);
    assert.equal((await create('+14155550500')).json.code, 21606);
    await h.provision('+14155550500', {}, h.other.sid);
    const forOther = await h.call(
      'POST',
      h.api('/Messages.json', h.other.sid),
      { From: '+14155550500', To: '+14155550999', Body: 'hi' },
      { accountSid: h.other.sid },
    );
    assert.equal(forOther.status, 201);
    assert.equal((await create('+14155550500')).json.code, 21606);
  });

  it('keeps opt-outs and numbers across a restart', async () => {
    await h.provision('+14155550501');
    await h.net.inbound({ from: '+14155550777', to: '+14155550501', body: 'STOP' });
    await h.restart();
    assert.equal((await create('+14155550501', '+14155550777')).json.code, 21610);
    assert.equal((await create('+14155550501', '+14155550778')).status, 201);
  });
});
