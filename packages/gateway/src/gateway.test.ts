import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Account } from '@twilio-lab/identity';
import { twilioError } from '@twilio-lab/core';
import { BackendError } from '@twilio-lab/backends';
import { authOf, basic, call, startHarness } from './test-support.js';
import type { Harness } from './test-support.js';

const AUTHENTICATE_BODY = {
  code: 20003,
  message: 'Authenticate',
  more_info: 'https://www.twilio.com/docs/errors/20003',
  status: 401,
  detail: 'Your AccountSid or AuthToken was incorrect.',
};

describe('gateway: routing and authentication', () => {
  let h: Harness;
  let sub: Account;
  let other: Account;

  before(async () => {
    h = await startHarness();
    sub = await h.identity.createAccount({ parentSid: h.main.sid, friendlyName: 'Sub' });
    other = await h.identity.createAccount({ friendlyName: 'Other tenant' });
  });
  after(() => h.close());
  beforeEach(() => {
    h.router.cell.requests.length = 0;
  });

  it('GET /healthz answers without credentials', async () => {
    const r = await call(`${h.base}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
    assert.ok(r.headers.get('twilio-request-id'));
  });

  it('401 with the exact Twilio body and WWW-Authenticate for a missing header', async () => {
    const r = await call(`${h.base}/2010-04-01/Accounts/${h.main.sid}/Messages.json`);
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, AUTHENTICATE_BODY);
    assert.equal(r.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(h.router.cell.requests.length, 0);
  });

  it('401 for a wrong auth token, an unknown key, a malformed header and a suspended account', async () => {
    const url = `${h.base}/2010-04-01/Accounts/${h.main.sid}/Messages.json`;
    const wrongToken = await call(url, { auth: basic(h.main.sid, '0'.repeat(32)) });
    assert.equal(wrongToken.status, 401);
    assert.deepEqual(wrongToken.json, AUTHENTICATE_BODY);
    const key = await h.identity.createKey(h.main.sid);
    assert.equal((await call(url, { auth: basic(key.sid, 'not-the-secret') })).status, 401);
    assert.equal((await call(url, { auth: 'Bearer abc' })).status, 401);
    assert.equal((await call(url, { auth: 'Basic !!!' })).status, 401);

    const suspended = await h.identity.createAccount({});
    const ownUrl = `${h.base}/2010-04-01/Accounts/${suspended.sid}/Messages.json`;
    assert.equal((await call(ownUrl, { auth: authOf(suspended) })).status, 200);
    await h.identity.updateAccount(suspended.sid, { status: 'suspended' });
    const refused = await call(ownUrl, { auth: authOf(suspended) });
    assert.equal(refused.status, 401, 'the cached principal was dropped on the status change');
    assert.deepEqual(refused.json, AUTHENTICATE_BODY);
  });

  it('API key credentials reach the cell; deleting the key revokes it at once', async () => {
    const key = await h.identity.createKey(h.main.sid, 'ci');
    const auth = basic(key.sid, key.secret ?? '');
    const url = `${h.base}/2010-04-01/Accounts/${h.main.sid}/Messages.json`;
    assert.equal((await call(url, { auth })).status, 200);
    assert.equal((await call(url, { auth })).status, 200, 'second call served from the principal cache');
    const seen = h.router.cell.requests.at(-1);
    assert.equal(seen?.credentialSid, key.sid);
    assert.equal(seen?.accountSid, h.main.sid);
    assert.equal(seen?.authAccountSid, h.main.sid);

    const deleted = await call(`${h.base}/2010-04-01/Accounts/${h.main.sid}/Keys/${key.sid}.json`, {
      method: 'DELETE',
      auth: authOf(h.main),
    });
    assert.equal(deleted.status, 204);
    assert.equal((await call(url, { auth })).status, 401);
  });

  it('unknown product → 404 20404, cell never called', async () => {
    const r = await call(`${h.base}/nope/v1/Services`, { auth: authOf(h.main) });
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 20404);
    assert.equal(h.router.cell.requests.length, 0);
  });

  it('bare /2010-04-01 and /api/2010-04-01 reach the cell with the same path', async () => {
    const path = `/2010-04-01/Accounts/${h.main.sid}/Messages.json`;
    await call(`${h.base}${path}?PageSize=2`, { auth: authOf(h.main) });
    await call(`${h.base}/api${path}?PageSize=2`, { auth: authOf(h.main) });
    const [bare, prefixed] = h.router.cell.requests;
    assert.equal(bare?.product, 'api');
    assert.equal(prefixed?.product, 'api');
    assert.equal(bare?.path, path);
    assert.equal(prefixed?.path, path);
    assert.equal(prefixed?.query, 'PageSize=2');
  });

  it('routes by product prefix and keeps a literal + in the path', async () => {
    const r = await call(`${h.base}/lookups/v2/PhoneNumbers/+14155550100?Fields=line_type_intelligence`, {
      auth: authOf(h.main),
    });
    assert.equal(r.status, 200);
    const seen = h.router.cell.requests[0];
    assert.equal(seen?.product, 'lookups');
    assert.equal(seen?.path, '/v2/PhoneNumbers/+14155550100');
    assert.equal(seen?.query, 'Fields=line_type_intelligence');
    assert.equal(seen?.accountSid, h.main.sid);

    await call(`${h.base}/messaging/v1/Services`, { auth: authOf(h.main) });
    await call(`${h.base}/verify/v2/Services`, { auth: authOf(h.main) });
    assert.deepEqual(
      h.router.cell.requests.slice(1).map((q) => [q.product, q.path]),
      [
        ['messaging', '/v1/Services'],
        ['verify', '/v2/Services'],
      ],
    );
  });

  it('passes body, content type, origin, request id and selected headers to the cell', async () => {
    const r = await call(`${h.base}/taskrouter/v1/Workspaces/WS1/Tasks/WT1`, {
      method: 'POST',
      auth: authOf(h.main),
      body: 'Attributes=%7B%7D&AssignmentStatus=canceled',
      headers: { 'x-request-id': 'req-123', 'if-match': '"7"', 'x-unrelated': 'no' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('twilio-request-id'), 'req-123');
    assert.equal(r.headers.get('x-cell'), 'cell-test', 'extra headers from the cell are sent');
    const seen = h.router.cell.requests[0];
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.body, 'Attributes=%7B%7D&AssignmentStatus=canceled');
    assert.equal(seen?.contentType, 'application/x-www-form-urlencoded');
    assert.equal(seen?.requestId, 'req-123');
    assert.equal(seen?.origin, h.base);
    assert.deepEqual(seen?.headers, { 'if-match': '"7"' });
  });

  it('generates a request id when the caller gives none', async () => {
    const r = await call(`${h.base}/video/v1/Rooms`, { auth: authOf(h.main) });
    const id = r.headers.get('twilio-request-id') ?? '';
    assert.match(id, /^RQ[0-9a-f]{32}$/);
    assert.equal(h.router.cell.requests[0]?.requestId, id);
  });

  it('another tenant in the path → 404 20404 and the cell is never called', async () => {
    const r = await call(`${h.base}/2010-04-01/Accounts/${other.sid}/Messages.json`, {
      auth: authOf(h.main),
    });
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 20404);
    assert.ok(!r.text.includes(other.authToken));
    const unknown = await call(`${h.base}/2010-04-01/Accounts/AC${'e'.repeat(32)}/Messages.json`, {
      auth: authOf(h.main),
    });
    assert.equal(unknown.status, 404);
    assert.equal(h.router.cell.requests.length, 0);
  });

  it('a parent may act for its subaccount; a subaccount may not act for its parent', async () => {
    const ok = await call(`${h.base}/2010-04-01/Accounts/${sub.sid}/Messages.json`, { auth: authOf(h.main) });
    assert.equal(ok.status, 200);
    const seen = h.router.cell.requests[0];
    assert.equal(seen?.accountSid, sub.sid);
    assert.equal(seen?.authAccountSid, h.main.sid);

    const refused = await call(`${h.base}/2010-04-01/Accounts/${h.main.sid}/Messages.json`, {
      auth: authOf(sub),
    });
    assert.equal(refused.status, 404);
    assert.equal(h.router.cell.requests.length, 1);
  });

  it('a suspended subaccount is refused (403 20005) until the parent reactivates it', async () => {
    const paused = await h.identity.createAccount({ parentSid: h.main.sid });
    await h.identity.updateAccount(paused.sid, { status: 'suspended' });
    const url = `${h.base}/2010-04-01/Accounts/${paused.sid}/Messages.json`;
    const refused = await call(url, { auth: authOf(h.main) });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 20005);
    const reactivated = await call(`${h.base}/2010-04-01/Accounts/${paused.sid}.json`, {
      method: 'POST',
      auth: authOf(h.main),
      body: 'Status=active',
    });
    assert.equal(reactivated.status, 200);
    assert.equal((await call(url, { auth: authOf(h.main) })).status, 200);
  });

  it('HEAD/OPTIONS/PATCH → 405 20004 with Allow', async () => {
    for (const method of ['HEAD', 'OPTIONS', 'PATCH']) {
      const r = await call(`${h.base}/2010-04-01/Accounts.json`, { method, auth: authOf(h.main) });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get('allow'), 'GET, POST, PUT, DELETE');
      if (method !== 'HEAD') assert.equal(r.json.code, 20004);
    }
  });

  it('a cell that throws yields 500 20500 without internals; a TwilioError keeps its shape', async () => {
    h.router.cell.respond = () => Promise.reject(new Error('secret internal detail'));
    try {
      const r = await call(`${h.base}/verify/v2/Services`, { auth: authOf(h.main) });
      assert.equal(r.status, 500);
      assert.equal(r.json.code, 20500);
      assert.ok(!r.text.includes('secret internal detail'));

      h.router.cell.respond = () => Promise.reject(twilioError(21211));
      const twilio = await call(`${h.base}/verify/v2/Services`, { auth: authOf(h.main) });
      assert.equal(twilio.status, 400);
      assert.equal(twilio.json.code, 21211);
    } finally {
      h.router.cell.respond = async (req) => ({ status: 200, body: JSON.stringify({ path: req.path }) });
    }
  });

  it('an unreachable engine (identity or cell store) yields 503 20503, not 500', async () => {
    h.router.cell.respond = () =>
      Promise.reject(new BackendError('STORE_UNAVAILABLE', 'pg at 127.0.0.1:15432 down'));
    try {
      const r = await call(`${h.base}/verify/v2/Services`, { auth: authOf(h.main) });
      assert.equal(r.status, 503);
      assert.equal(r.json.code, 20503);
      assert.ok(!r.text.includes('15432'));
    } finally {
      h.router.cell.respond = async (req) => ({ status: 200, body: JSON.stringify({ path: req.path }) });
    }
  });

  it('an account with no cell → 503 20503', async () => {
    const homeless = await h.identity.createAccount({});
    h.router.unplaced.add(homeless.sid);
    const r = await call(`${h.base}/messaging/v1/Services`, { auth: authOf(homeless) });
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 20503);
  });

  it('a 204 from the cell has no body and no content type', async () => {
    h.router.cell.respond = async () => ({ status: 204, body: '' });
    try {
      const r = await call(`${h.base}/video/v1/Rooms/RM1`, { method: 'DELETE', auth: authOf(h.main) });
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
      assert.equal(r.headers.get('content-type'), null);
      assert.ok(r.headers.get('twilio-request-id'));
    } finally {
      h.router.cell.respond = async (req) => ({ status: 200, body: JSON.stringify({ path: req.path }) });
    }
  });
});

describe('gateway: lab control API', () => {
  let h: Harness;
  const seen: { path: string; method: string; body: string }[] = [];

  before(async () => {
    h = await startHarness({
      adminToken: 'admin-secret',
      labControl: {
        async handle(req) {
          seen.push({ path: req.path, method: req.method, body: req.body });
          return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"lab":true}' };
        },
      },
    });
  });
  after(() => h.close());

  it('refuses /lab without the admin bearer token (401 20003)', async () => {
    const none = await call(`${h.base}/lab/status`);
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 20003);
    const wrong = await call(`${h.base}/lab/status`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const accountCreds = await call(`${h.base}/lab/status`, { auth: authOf(h.main) });
    assert.equal(accountCreds.status, 401);
    assert.equal(seen.length, 0);
  });

  it('forwards /lab/… below the prefix with the admin token', async () => {
    const r = await call(`${h.base}/lab/faults?x=1`, {
      method: 'POST',
      body: 'a=b',
      headers: { authorization: 'Bearer admin-secret' },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { lab: true });
    assert.deepEqual(seen, [{ path: '/faults', method: 'POST', body: 'a=b' }]);
  });
});
