import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import type { CellRequest, CellResponse, HttpMethod } from '@twilio-lab/core';
import { createIdentity } from './identity-service.js';
import type { Identity } from './identity-service.js';
import { matchIdentityPath } from './identity-path.js';
import { handleIdentityRequest } from './routes.js';
import type { Account } from './types.js';

const RFC2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

function request(
  caller: Account,
  method: HttpMethod,
  path: string,
  o: { body?: string; query?: string; credentialSid?: string } = {},
): CellRequest {
  return {
    method,
    product: 'api',
    path,
    query: o.query ?? '',
    body: o.body ?? '',
    contentType: 'application/x-www-form-urlencoded',
    accountSid: caller.sid,
    authAccountSid: caller.sid,
    credentialSid: o.credentialSid ?? caller.sid,
    origin: 'http://127.0.0.1:3000',
    requestId: 'RQ' + '0'.repeat(32),
    headers: {},
  };
}

function json(res: CellResponse | null): Record<string, unknown> {
  assert.ok(res !== null, 'expected an identity response');
  return JSON.parse(res.body) as Record<string, unknown>;
}

describe('matchIdentityPath', () => {
  it('recognises the four identity resources and nothing else', () => {
    const ac = 'AC' + '1'.repeat(32);
    const sk = 'SK' + '2'.repeat(32);
    assert.deepEqual(matchIdentityPath('/2010-04-01/Accounts.json'), { kind: 'accounts' });
    assert.deepEqual(matchIdentityPath(`/2010-04-01/Accounts/${ac}.json`), {
      kind: 'account',
      accountSid: ac,
    });
    assert.deepEqual(matchIdentityPath(`/2010-04-01/Accounts/${ac}/Keys.json`), {
      kind: 'keys',
      accountSid: ac,
    });
    assert.deepEqual(matchIdentityPath(`/2010-04-01/Accounts/${ac}/Keys/${sk}.json`), {
      kind: 'key',
      accountSid: ac,
      keySid: sk,
    });
    assert.equal(matchIdentityPath(`/2010-04-01/Accounts/${ac}/Messages.json`), null);
    assert.equal(matchIdentityPath(`/2010-04-01/Accounts/${ac}/Keys/${sk}/x.json`), null);
    assert.equal(matchIdentityPath(`/2010-04-01/Accounts/${ac}`), null);
    assert.equal(matchIdentityPath('/v1/Services'), null);
  });
});

describe('handleIdentityRequest', () => {
  let store: Store;
  let identity: Identity;
  let main: Account;
  let stranger: Account;

  before(async () => {
    store = await openMemoryStore();
    identity = await createIdentity(store);
    main = await identity.createAccount({ friendlyName: 'Main' });
    stranger = await identity.createAccount({ friendlyName: 'Stranger' });
  });
  after(() => store.close());

  it('returns null for paths it does not own and for other products', async () => {
    assert.equal(
      await handleIdentityRequest(
        identity,
        request(main, 'GET', `/2010-04-01/Accounts/${main.sid}/Messages.json`),
      ),
      null,
    );
    assert.equal(
      await handleIdentityRequest(identity, {
        ...request(main, 'GET', '/2010-04-01/Accounts.json'),
        product: 'verify',
      }),
      null,
    );
  });

  it('creates a subaccount (201) with the full representation', async () => {
    const res = await handleIdentityRequest(
      identity,
      request(main, 'POST', '/2010-04-01/Accounts.json', { body: 'FriendlyName=Team+A' }),
    );
    assert.equal(res?.status, 201);
    const body = json(res);
    assert.deepEqual(Object.keys(body).sort(), [
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
    ]);
    assert.equal(body.friendly_name, 'Team A');
    assert.equal(body.owner_account_sid, main.sid);
    assert.equal(body.status, 'active');
    assert.match(String(body.date_created), RFC2822);
    assert.equal(body.uri, `/2010-04-01/Accounts/${String(body.sid)}.json`);
    const uris = body.subresource_uris as Record<string, string>;
    assert.equal(uris.messages, `/2010-04-01/Accounts/${String(body.sid)}/Messages.json`);
    assert.equal(uris.keys, `/2010-04-01/Accounts/${String(body.sid)}/Keys.json`);
  });

  it('lists accounts with the 2010 envelope, filters, and keyset pages', async () => {
    const created: string[] = [];
    for (const name of ['L1', 'L2', 'L3']) {
      const res = await handleIdentityRequest(
        identity,
        request(main, 'POST', '/2010-04-01/Accounts.json', { body: `FriendlyName=${name}` }),
      );
      created.push(String(json(res).sid));
    }
    const filtered = json(
      await handleIdentityRequest(
        identity,
        request(main, 'GET', '/2010-04-01/Accounts.json', { query: 'FriendlyName=L2' }),
      ),
    );
    assert.deepEqual(
      (filtered.accounts as { sid: string }[]).map((a) => a.sid),
      [created[1]],
    );

    const all = (await identity.listAccounts(main.sid)).map((a) => a.sid);
    const seen: string[] = [];
    let query = 'PageSize=2';
    for (let page = 0; page < 10; page++) {
      const res = await handleIdentityRequest(
        identity,
        request(main, 'GET', '/2010-04-01/Accounts.json', { query }),
      );
      assert.equal(res?.status, 200);
      const body = json(res);
      assert.equal(body.page, page);
      assert.equal(body.page_size, 2);
      assert.equal(body.first_page_uri, '/2010-04-01/Accounts.json?PageSize=2&Page=0');
      seen.push(...(body.accounts as { sid: string }[]).map((a) => a.sid));
      const next = body.next_page_uri as string | null;
      if (next === null) break;
      query = next.slice(next.indexOf('?') + 1);
    }
    assert.deepEqual(seen, all, 'paging visits every account once, newest first');
    assert.ok(!seen.includes(stranger.sid), "another tenant's account is never listed");

    const bad = await handleIdentityRequest(
      identity,
      request(main, 'GET', '/2010-04-01/Accounts.json', { query: 'Status=sleepy' }),
    );
    assert.equal(bad?.status, 400);
    assert.equal(json(bad).code, 20001);
  });

  it('fetches and updates a subaccount; another tenant gets 404 20404 and no data', async () => {
    const sub = await identity.createAccount({ parentSid: main.sid, friendlyName: 'Before' });
    const path = `/2010-04-01/Accounts/${sub.sid}.json`;
    assert.equal(
      json(await handleIdentityRequest(identity, request(main, 'GET', path))).friendly_name,
      'Before',
    );

    const updated = await handleIdentityRequest(
      identity,
      request(main, 'POST', path, { body: 'FriendlyName=After&Status=suspended' }),
    );
    assert.equal(updated?.status, 200);
    assert.equal(json(updated).friendly_name, 'After');
    assert.equal(json(updated).status, 'suspended');

    const foreign = await handleIdentityRequest(identity, request(stranger, 'GET', path));
    assert.equal(foreign?.status, 404);
    const body = json(foreign);
    assert.equal(body.code, 20404);
    assert.ok(!foreign.body.includes(sub.authToken));

    const closed = await handleIdentityRequest(
      identity,
      request(main, 'POST', path, { body: 'Status=closed' }),
    );
    assert.equal(json(closed).status, 'closed');
    const reopen = await handleIdentityRequest(
      identity,
      request(main, 'POST', path, { body: 'Status=active' }),
    );
    assert.equal(reopen?.status, 400);
    assert.equal(json(reopen).code, 20001);
  });

  it('a subaccount cannot act on its parent', async () => {
    const sub = await identity.createAccount({ parentSid: main.sid });
    const res = await handleIdentityRequest(
      identity,
      request(sub, 'GET', `/2010-04-01/Accounts/${main.sid}.json`),
    );
    assert.equal(res?.status, 404);
  });

  it('keys: create shows the secret once, list/fetch/update/delete with exact shapes', async () => {
    const base = `/2010-04-01/Accounts/${main.sid}/Keys`;
    const created = await handleIdentityRequest(
      identity,
      request(main, 'POST', `${base}.json`, { body: 'FriendlyName=deploy' }),
    );
    assert.equal(created?.status, 201);
    const key = json(created);
    assert.deepEqual(Object.keys(key).sort(), [
      'date_created',
      'date_updated',
      'friendly_name',
      'secret',
      'sid',
    ]);
    assert.match(String(key.secret), /^[0-9A-Za-z]{32}$/);
    const keyPath = `${base}/${String(key.sid)}.json`;

    const fetched = json(await handleIdentityRequest(identity, request(main, 'GET', keyPath)));
    assert.deepEqual(Object.keys(fetched).sort(), ['date_created', 'date_updated', 'friendly_name', 'sid']);

    const list = json(await handleIdentityRequest(identity, request(main, 'GET', `${base}.json`)));
    assert.ok((list.keys as { sid: string }[]).some((k) => k.sid === key.sid));
    assert.ok(!JSON.stringify(list).includes(String(key.secret)));

    const renamed = await handleIdentityRequest(
      identity,
      request(main, 'POST', keyPath, { body: 'FriendlyName=renamed' }),
    );
    assert.equal(renamed?.status, 200);
    assert.equal(json(renamed).friendly_name, 'renamed');

    const foreign = await handleIdentityRequest(identity, request(stranger, 'GET', keyPath));
    assert.equal(foreign?.status, 404);

    const deleted = await handleIdentityRequest(identity, request(main, 'DELETE', keyPath));
    assert.equal(deleted?.status, 204);
    assert.equal(deleted?.body, '');
    assert.equal((await handleIdentityRequest(identity, request(main, 'GET', keyPath)))?.status, 404);
    assert.equal((await handleIdentityRequest(identity, request(main, 'DELETE', keyPath)))?.status, 404);
  });

  it('API key credentials are refused with 403 20008; wrong methods get 405 20004', async () => {
    const forbidden = await handleIdentityRequest(
      identity,
      request(main, 'GET', '/2010-04-01/Accounts.json', { credentialSid: 'SK' + '3'.repeat(32) }),
    );
    assert.equal(forbidden?.status, 403);
    assert.equal(json(forbidden).code, 20008);

    const wrong = await handleIdentityRequest(identity, request(main, 'DELETE', '/2010-04-01/Accounts.json'));
    assert.equal(wrong?.status, 405);
    assert.equal(json(wrong).code, 20004);
    assert.equal(wrong?.headers?.Allow, 'GET, POST');
  });
});
