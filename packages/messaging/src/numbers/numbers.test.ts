import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findNumber, findNumberByE164 } from './repo.js';
import { startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

describe('IncomingPhoneNumbers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('provisions a number (201, PN sid, 2010 shape) and claims it in the directory', async () => {
    const res = await h.call('POST', h.api('/IncomingPhoneNumbers.json'), {
      PhoneNumber: '+14155550100',
      SmsUrl: 'https://example.com/sms',
      SmsMethod: 'get',
    });
    assert.equal(res.status, 201);
    const n = res.json;
    assert.match(String(n.sid), /^PN[0-9a-f]{32}$/);
    assert.equal(n.phone_number, '+14155550100');
    assert.equal(n.friendly_name, '(415) 555-0100');
    assert.equal(n.sms_url, 'https://example.com/sms');
    assert.equal(n.sms_method, 'GET');
    assert.equal(n.account_sid, h.account.sid);
    assert.deepEqual(n.capabilities, { fax: false, mms: true, sms: true, voice: true });
    assert.equal(n.uri, `/2010-04-01/Accounts/${h.account.sid}/IncomingPhoneNumbers/${String(n.sid)}.json`);
    assert.match(String(n.date_created), /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(await h.identity.numberOwner('+14155550100'), h.account.sid);
    assert.equal((await findNumber(h.store, h.account.sid, '+14155550100'))?.sid, n.sid);
    assert.equal((await findNumberByE164(h.store, '+14155550100'))?.sid, n.sid);
    assert.equal(await findNumber(h.store, h.other.sid, '+14155550100'), undefined);
  });

  it('refuses a number another account owns (21422) and a duplicate (21422)', async () => {
    const taken = await h.call(
      'POST',
      h.api('/IncomingPhoneNumbers.json', h.other.sid),
      { PhoneNumber: '+14155550100' },
      {
        accountSid: h.other.sid,
      },
    );
    assert.equal(taken.status, 400);
    assert.equal(taken.json.code, 21422);
    const dup = await h.call('POST', h.api('/IncomingPhoneNumbers.json'), { PhoneNumber: '+14155550100' });
    assert.equal(dup.json.code, 21422);
  });

  it('validates PhoneNumber and webhook parameters', async () => {
    assert.equal((await h.call('POST', h.api('/IncomingPhoneNumbers.json'), {})).json.code, 21421);
    assert.equal(
      (await h.call('POST', h.api('/IncomingPhoneNumbers.json'), { PhoneNumber: '4155550100' })).json.code,
      21421,
    );
    const badMethod = await h.call('POST', h.api('/IncomingPhoneNumbers.json'), {
      PhoneNumber: '+14155550199',
      SmsMethod: 'PUT',
    });
    assert.equal(badMethod.json.code, 20001);
    const badUrl = await h.call('POST', h.api('/IncomingPhoneNumbers.json'), {
      PhoneNumber: '+14155550199',
      SmsUrl: 'ftp://x',
    });
    assert.equal(badUrl.json.code, 20001);
  });

  it('provisions a free number in an area code', async () => {
    const res = await h.call('POST', h.api('/IncomingPhoneNumbers.json'), { AreaCode: '212' });
    assert.equal(res.status, 201);
    assert.match(String(res.json.phone_number), /^\+1212[2-9]\d{6}$/);
  });

  it('lists with filters, fetches, updates and deletes (releasing the number)', async () => {
    const created = await h.provision('+442071838750', { FriendlyName: 'London' });
    const list = await h.call('GET', h.api('/IncomingPhoneNumbers.json'), { PhoneNumber: '2071838' });
    assert.equal(list.status, 200);
    const records = list.json.incoming_phone_numbers as Record<string, unknown>[];
    assert.deepEqual(
      records.map((r) => r.sid),
      [created.sid],
    );
    const byName = await h.call('GET', h.api('/IncomingPhoneNumbers.json'), { FriendlyName: 'London' });
    assert.equal((byName.json.incoming_phone_numbers as unknown[]).length, 1);

    const path = h.api(`/IncomingPhoneNumbers/${String(created.sid)}.json`);
    const updated = await h.call('POST', path, {
      FriendlyName: 'Office',
      VoiceUrl: 'https://example.com/voice',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.friendly_name, 'Office');
    assert.equal(updated.json.voice_url, 'https://example.com/voice');
    assert.equal((await h.call('GET', path)).json.friendly_name, 'Office');

    const removed = await h.call('DELETE', path);
    assert.equal(removed.status, 204);
    assert.equal(removed.raw.body, '');
    assert.equal((await h.call('GET', path)).status, 404);
    assert.equal(await h.identity.numberOwner('+442071838750'), undefined);
  });

  it("answers 404 20404 for another account's number", async () => {
    const mine = await h.provision('+14155550111');
    const res = await h.call(
      'GET',
      h.api(`/IncomingPhoneNumbers/${String(mine.sid)}.json`, h.other.sid),
      {},
      {
        accountSid: h.other.sid,
      },
    );
    assert.equal(res.status, 404);
    assert.equal(res.json.code, 20404);
    const del = await h.call(
      'DELETE',
      h.api(`/IncomingPhoneNumbers/${String(mine.sid)}.json`, h.other.sid),
      {},
      {
        accountSid: h.other.sid,
      },
    );
    assert.equal(del.status, 404);
  });
});
