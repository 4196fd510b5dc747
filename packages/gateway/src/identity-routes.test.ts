import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authOf, basic, call, startHarness } from './test-support.js';
import type { Harness } from './test-support.js';

const ACCOUNT_KEYS = [
  'auth_token',
  'date_created',
  'date_updated',
  'friendly_name',
  'owner_account_sid',
  'sid',
  'status',
  'subresource_uris',
  'type',
  'uri',
];
const LIST_2010_KEYS = [
  'end',
  'first_page_uri',
  'next_page_uri',
  'page',
  'page_size',
  'previous_page_uri',
  'start',
  'uri',
];

describe('gateway: Accounts and Keys (global tier)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('creates, lists, fetches and updates subaccounts with exact envelopes', async () => {
    const auth = authOf(h.main);
    const created = await call(`${h.base}/2010-04-01/Accounts.json`, {
      method: 'POST',
      auth,
      body: 'FriendlyName=Team+Blue',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json).sort(), ACCOUNT_KEYS);
    assert.equal(created.json.friendly_name, 'Team Blue');
    assert.equal(created.json.owner_account_sid, h.main.sid);
    const subSid = String(created.json.sid);

    const list = await call(`${h.base}/api/2010-04-01/Accounts.json?PageSize=1`, { auth });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.json).sort(), ['accounts', ...LIST_2010_KEYS].sort());
    assert.equal((list.json.accounts as unknown[]).length, 1);
    assert.equal(list.json.first_page_uri, '/2010-04-01/Accounts.json?PageSize=1&Page=0');
    assert.match(
      String(list.json.next_page_uri),
      /^\/2010-04-01\/Accounts\.json\?PageSize=1&Page=1&PageToken=/,
    );

    const fetched = await call(`${h.base}/2010-04-01/Accounts/${subSid}.json`, { auth });
    assert.equal(fetched.status, 200);
    assert.equal(fetched.json.sid, subSid);

    const updated = await call(`${h.base}/2010-04-01/Accounts/${subSid}.json`, {
      method: 'POST',
      auth,
      body: 'FriendlyName=Renamed&Status=suspended',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.friendly_name, 'Renamed');
    assert.equal(updated.json.status, 'suspended');
    assert.equal(h.router.cell.requests.length, 0, 'identity routes never reach a cell');
  });

  it('the new subaccount authenticates with the returned auth token, and cannot see its parent', async () => {
    const created = await call(`${h.base}/2010-04-01/Accounts.json`, {
      method: 'POST',
      auth: authOf(h.main),
    });
    const subAuth = basic(String(created.json.sid), String(created.json.auth_token));
    const own = await call(`${h.base}/2010-04-01/Accounts/${String(created.json.sid)}.json`, {
      auth: subAuth,
    });
    assert.equal(own.status, 200);
    const parent = await call(`${h.base}/2010-04-01/Accounts/${h.main.sid}.json`, { auth: subAuth });
    assert.equal(parent.status, 404);
    assert.equal(parent.json.code, 20404);
    const nested = await call(`${h.base}/2010-04-01/Accounts.json`, { method: 'POST', auth: subAuth });
    assert.equal(nested.status, 400);
    assert.equal(nested.json.code, 20001);
  });

  it('keys: create (201, secret once), list, fetch, update, delete (204)', async () => {
    const auth = authOf(h.main);
    const base = `${h.base}/2010-04-01/Accounts/${h.main.sid}/Keys`;
    const created = await call(`${base}.json`, { method: 'POST', auth, body: 'FriendlyName=deploy' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json).sort(), [
      'date_created',
      'date_updated',
      'friendly_name',
      'secret',
      'sid',
    ]);
    const keySid = String(created.json.sid);

    const list = await call(`${base}.json`, { auth });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.json).sort(), ['keys', ...LIST_2010_KEYS].sort());
    const listed = list.json.keys as Record<string, unknown>[];
    assert.deepEqual(
      listed.map((k) => k.sid),
      [keySid],
    );
    assert.equal(listed[0]?.secret, undefined);

    const fetched = await call(`${base}/${keySid}.json`, { auth });
    assert.deepEqual(Object.keys(fetched.json).sort(), [
      'date_created',
      'date_updated',
      'friendly_name',
      'sid',
    ]);

    const updated = await call(`${base}/${keySid}.json`, { method: 'POST', auth, body: 'FriendlyName=prod' });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.friendly_name, 'prod');

    const keyAuth = basic(keySid, String(created.json.secret));
    const byKey = await call(`${base}.json`, { auth: keyAuth });
    assert.equal(byKey.status, 403, 'API keys cannot manage keys');
    assert.equal(byKey.json.code, 20008);

    const deleted = await call(`${base}/${keySid}.json`, { method: 'DELETE', auth });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal((await call(`${base}/${keySid}.json`, { auth })).status, 404);
  });
});
