import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

type Json = Record<string, unknown>;

describe('Messaging v1 Services', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('creates with defaults (201, MG sid, ISO dates, absolute url and links)', async () => {
    const res = await h.call('POST', '/v1/Services', {
      FriendlyName: 'Alerts',
      InboundRequestUrl: 'https://app.example/in',
    });
    assert.equal(res.status, 201);
    const s = res.json;
    assert.match(String(s.sid), /^MG[0-9a-f]{32}$/);
    assert.equal(s.friendly_name, 'Alerts');
    assert.equal(s.sticky_sender, true);
    assert.equal(s.inbound_method, 'POST');
    assert.equal(s.inbound_request_url, 'https://app.example/in');
    assert.equal(s.use_inbound_webhook_on_number, false);
    assert.equal(s.scan_message_content, 'inherit');
    assert.match(String(s.date_created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(s.url, `http://127.0.0.1:3000/messaging/v1/Services/${String(s.sid)}`);
    assert.equal(
      (s.links as Json).phone_numbers,
      `http://127.0.0.1:3000/messaging/v1/Services/${String(s.sid)}/PhoneNumbers`,
    );
  });

  it('validates create and update parameters', async () => {
    assert.equal((await h.call('POST', '/v1/Services', {})).json.code, 20001);
    assert.equal(
      (await h.call('POST', '/v1/Services', { FriendlyName: 'x', StickySender: 'maybe' })).json.code,
      20001,
    );
    assert.equal(
      (await h.call('POST', '/v1/Services', { FriendlyName: 'x', ValidityPeriod: '0' })).json.code,
      20001,
    );
  });

  it('lists (meta envelope, key services), updates and deletes', async () => {
    const a = await h.call('POST', '/v1/Services', { FriendlyName: 'A' });
    const path = `/v1/Services/${String(a.json.sid)}`;
    const updated = await h.call('POST', path, {
      FriendlyName: 'A2',
      StickySender: 'false',
      SmartEncoding: 'true',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.friendly_name, 'A2');
    assert.equal(updated.json.sticky_sender, false);
    assert.equal(updated.json.smart_encoding, true);
    const list = await h.call('GET', '/v1/Services', { PageSize: '1' });
    assert.equal(list.status, 200);
    const meta = list.json.meta as Json;
    assert.equal(meta.key, 'services');
    assert.equal((list.json.services as Json[]).length, 1);
    assert.match(
      String(meta.next_page_url),
      /^http:\/\/127\.0\.0\.1:3000\/messaging\/v1\/Services\?PageSize=1&Page=1&PageToken=/,
    );
    assert.equal((await h.call('DELETE', path)).status, 204);
    assert.equal((await h.call('GET', path)).status, 404);
  });

  it('manages the sender pool: add (201, PN sid), list, fetch, remove; errors for foreign and duplicate numbers', async () => {
    const svc = String((await h.call('POST', '/v1/Services', { FriendlyName: 'Pool' })).json.sid);
    const other = String((await h.call('POST', '/v1/Services', { FriendlyName: 'Other' })).json.sid);
    const pn = await h.provision('+447700900800');
    const added = await h.call('POST', `/v1/Services/${svc}/PhoneNumbers`, {
      PhoneNumberSid: String(pn.sid),
    });
    assert.equal(added.status, 201);
    assert.equal(added.json.sid, pn.sid);
    assert.equal(added.json.phone_number, '+447700900800');
    assert.equal(added.json.country_code, 'GB');
    assert.equal(added.json.service_sid, svc);
    assert.deepEqual(added.json.capabilities, ['MMS', 'SMS', 'Voice']);

    const list = await h.call('GET', `/v1/Services/${svc}/PhoneNumbers`);
    assert.equal((list.json.meta as Json).key, 'phone_numbers');
    assert.deepEqual(
      (list.json.phone_numbers as Json[]).map((p) => p.sid),
      [pn.sid],
    );
    const member = `/v1/Services/${svc}/PhoneNumbers/${String(pn.sid)}`;
    assert.equal((await h.call('GET', member)).json.phone_number, '+447700900800');

    const dup = await h.call('POST', `/v1/Services/${other}/PhoneNumbers`, {
      PhoneNumberSid: String(pn.sid),
    });
    assert.equal(dup.status, 400);
    assert.equal(dup.json.code, 21710);
    const missing = await h.call('POST', `/v1/Services/${svc}/PhoneNumbers`, {
      PhoneNumberSid: 'PN' + '0'.repeat(32),
    });
    assert.equal(missing.json.code, 21421);

    assert.equal((await h.call('DELETE', member)).status, 204);
    assert.equal((await h.call('GET', member)).status, 404);
  });

  it("isolates tenants: another account's service is 404", async () => {
    const svc = String((await h.call('POST', '/v1/Services', { FriendlyName: 'Mine' })).json.sid);
    const as = { accountSid: h.other.sid };
    assert.equal((await h.call('GET', `/v1/Services/${svc}`, {}, as)).status, 404);
    assert.equal((await h.call('POST', `/v1/Services/${svc}`, { FriendlyName: 'x' }, as)).status, 404);
    assert.equal((await h.call('DELETE', `/v1/Services/${svc}`, {}, as)).status, 404);
    assert.equal((await h.call('GET', `/v1/Services/${svc}/PhoneNumbers`, {}, as)).status, 404);
    const theirs = await h.call('GET', '/v1/Services', {}, as);
    assert.deepEqual(theirs.json.services, []);
    // Nor can they send through it.
    const send = await h.call(
      'POST',
      h.api('/Messages.json', h.other.sid),
      { To: '+14155550999', MessagingServiceSid: svc, Body: 'x' },
      as,
    );
    assert.equal(send.json.code, 20001);
  });
});
