import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStore, openSqliteStore } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import { TwilioError } from '@twilio-lab/core';
import { createIdentity } from './identity-service.js';
import type { Identity } from './identity-service.js';

const HEX32 = /^[0-9a-f]{32}$/;
const BASE62_32 = /^[0-9A-Za-z]{32}$/;

function isTwilioError(code: number) {
  return (e: unknown): boolean => e instanceof TwilioError && e.code === code;
}

describe('identity service (memory store)', () => {
  let store: Store;
  let identity: Identity;
  let clock = 1_700_000_000_000;

  before(async () => {
    store = await openMemoryStore();
    identity = await createIdentity(store, { now: () => (clock += 1000) });
  });
  after(() => store.close());

  it('creates a top-level account with an AC sid and a 32-hex auth token', async () => {
    const account = await identity.createAccount({ friendlyName: 'Main' });
    assert.match(account.sid, /^AC[0-9a-f]{32}$/);
    assert.match(account.authToken, HEX32);
    assert.equal(account.ownerAccountSid, account.sid);
    assert.equal(account.status, 'active');
    assert.equal(account.friendlyName, 'Main');
    assert.deepEqual(await identity.getAccount(account.sid), account);
  });

  it('authenticates with the auth token and refuses a wrong one', async () => {
    const account = await identity.createAccount({});
    const principal = await identity.authenticate(account.sid, account.authToken);
    assert.equal(principal?.account.sid, account.sid);
    assert.equal(principal?.credentialSid, account.sid);
    assert.equal(await identity.authenticate(account.sid, 'f'.repeat(32)), null);
    assert.equal(await identity.authenticate(account.sid, ''), null);
    assert.equal(await identity.authenticate('AC' + '0'.repeat(32), account.authToken), null);
    assert.equal(await identity.authenticate('XX', account.authToken), null);
  });

  it('rejects an invalid explicit sid or auth token', async () => {
    await assert.rejects(identity.createAccount({ sid: 'nope' }), isTwilioError(20001));
    await assert.rejects(identity.createAccount({ authToken: 'ABC' }), isTwilioError(20001));
  });

  it('keeps an explicit sid and token (bootstrap account)', async () => {
    const sid = 'AC' + 'a'.repeat(32);
    const authToken = 'b'.repeat(32);
    const account = await identity.createAccount({ sid, authToken });
    assert.equal(account.sid, sid);
    assert.equal((await identity.authenticate(sid, authToken))?.account.sid, sid);
    await assert.rejects(identity.createAccount({ sid }), isTwilioError(20001));
  });

  it('does not authenticate suspended or closed accounts, and never reopens a closed one', async () => {
    const account = await identity.createAccount({});
    await identity.updateAccount(account.sid, { status: 'suspended' });
    assert.equal(await identity.authenticate(account.sid, account.authToken), null);
    await identity.updateAccount(account.sid, { status: 'active' });
    assert.notEqual(await identity.authenticate(account.sid, account.authToken), null);
    await identity.updateAccount(account.sid, { status: 'closed' });
    assert.equal(await identity.authenticate(account.sid, account.authToken), null);
    await assert.rejects(identity.updateAccount(account.sid, { status: 'active' }), isTwilioError(20001));
    assert.equal((await identity.getAccount(account.sid))?.status, 'closed');
  });

  it('creates subaccounts owned by the parent; a subaccount cannot create subaccounts', async () => {
    const parent = await identity.createAccount({});
    const sub = await identity.createAccount({ parentSid: parent.sid, friendlyName: 'Sub' });
    assert.equal(sub.ownerAccountSid, parent.sid);
    await assert.rejects(identity.createAccount({ parentSid: sub.sid }), isTwilioError(20001));
    await assert.rejects(identity.createAccount({ parentSid: 'AC' + '9'.repeat(32) }), isTwilioError(20404));
  });

  it('mayActFor: self and parent of target only', async () => {
    const parent = await identity.createAccount({});
    const sub = await identity.createAccount({ parentSid: parent.sid });
    const other = await identity.createAccount({});
    assert.equal(await identity.mayActFor(parent.sid, parent.sid), true);
    assert.equal(await identity.mayActFor(parent.sid, sub.sid), true);
    assert.equal(await identity.mayActFor(sub.sid, parent.sid), false);
    assert.equal(await identity.mayActFor(other.sid, sub.sid), false);
    assert.equal(await identity.mayActFor(sub.sid, sub.sid), true);
  });

  it('suspending a parent stops its subaccounts from authenticating and notifies listeners for both', async () => {
    const parent = await identity.createAccount({});
    const sub = await identity.createAccount({ parentSid: parent.sid });
    const changed: string[] = [];
    identity.onChange((sid) => changed.push(sid));
    await identity.updateAccount(parent.sid, { status: 'suspended' });
    assert.equal(await identity.authenticate(sub.sid, sub.authToken), null);
    assert.ok(changed.includes(parent.sid));
    assert.ok(changed.includes(sub.sid));
    await identity.updateAccount(parent.sid, { status: 'active' });
    assert.notEqual(await identity.authenticate(sub.sid, sub.authToken), null);
  });

  it('lists the owner and its subaccounts newest first, with filters', async () => {
    const parent = await identity.createAccount({ friendlyName: 'P' });
    const a = await identity.createAccount({ parentSid: parent.sid, friendlyName: 'A' });
    const b = await identity.createAccount({ parentSid: parent.sid, friendlyName: 'B' });
    await identity.createAccount({ friendlyName: 'unrelated' });
    await identity.updateAccount(a.sid, { status: 'suspended' });
    const all = await identity.listAccounts(parent.sid);
    assert.deepEqual(
      all.map((x) => x.sid),
      [b.sid, a.sid, parent.sid],
    );
    assert.deepEqual(
      (await identity.listAccounts(parent.sid, { status: 'suspended' })).map((x) => x.sid),
      [a.sid],
    );
    assert.deepEqual(
      (await identity.listAccounts(parent.sid, { friendlyName: 'B' })).map((x) => x.sid),
      [b.sid],
    );
  });

  it('API keys: secret shown once, authenticates as the key account, revoked on delete', async () => {
    const account = await identity.createAccount({});
    const key = await identity.createKey(account.sid, 'ci');
    assert.match(key.sid, /^SK[0-9a-f]{32}$/);
    assert.match(key.secret ?? '', BASE62_32);
    const principal = await identity.authenticate(key.sid, key.secret ?? '');
    assert.equal(principal?.account.sid, account.sid);
    assert.equal(principal?.credentialSid, key.sid);
    assert.equal(await identity.authenticate(key.sid, 'x'.repeat(32)), null);

    const fetched = await identity.getKey(account.sid, key.sid);
    assert.equal(fetched?.secret, undefined);
    assert.equal(fetched?.friendlyName, 'ci');
    assert.equal((await identity.updateKey(account.sid, key.sid, 'renamed'))?.friendlyName, 'renamed');
    assert.deepEqual(
      (await identity.listKeys(account.sid)).map((k) => k.sid),
      [key.sid],
    );

    const other = await identity.createAccount({});
    assert.equal(await identity.getKey(other.sid, key.sid), undefined);
    assert.equal(await identity.deleteKey(other.sid, key.sid), false);

    const changed: string[] = [];
    identity.onChange((sid) => changed.push(sid));
    assert.equal(await identity.deleteKey(account.sid, key.sid), true);
    assert.deepEqual(changed, [account.sid]);
    assert.equal(await identity.authenticate(key.sid, key.secret ?? ''), null);
    assert.equal(await identity.deleteKey(account.sid, key.sid), false);
  });

  it('an API key of a suspended account does not authenticate', async () => {
    const account = await identity.createAccount({});
    const key = await identity.createKey(account.sid);
    await identity.updateAccount(account.sid, { status: 'suspended' });
    assert.equal(await identity.authenticate(key.sid, key.secret ?? ''), null);
  });

  it('number directory: claim, conflict, release', async () => {
    const a = await identity.createAccount({});
    const b = await identity.createAccount({});
    assert.equal(await identity.claimNumber('+15550001111', a.sid), true);
    assert.equal(await identity.claimNumber('+15550001111', a.sid), true, 'claiming again is idempotent');
    assert.equal(await identity.claimNumber('+15550001111', b.sid), false);
    assert.equal(await identity.numberOwner('+15550001111'), a.sid);
    await identity.releaseNumber('+15550001111', b.sid);
    assert.equal(await identity.numberOwner('+15550001111'), a.sid, 'only the owner releases');
    await identity.releaseNumber('+15550001111', a.sid);
    assert.equal(await identity.numberOwner('+15550001111'), undefined);
    assert.equal(await identity.claimNumber('+15550001111', b.sid), true);
  });
});

describe('identity service (sqlite store, durability)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'identity-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reloads accounts and keys after a restart', async () => {
    const path = join(dir, 'lab.db');
    const first = await openSqliteStore({ path });
    const identity = await createIdentity(first);
    const parent = await identity.createAccount({ friendlyName: 'Durable' });
    const sub = await identity.createAccount({ parentSid: parent.sid });
    const key = await identity.createKey(parent.sid, 'k');
    await identity.updateAccount(sub.sid, { status: 'suspended' });
    await identity.claimNumber('+15557654321', parent.sid);
    await first.close();

    const second = await openSqliteStore({ path });
    try {
      const reopened = await createIdentity(second);
      assert.equal((await reopened.getAccount(parent.sid))?.friendlyName, 'Durable');
      assert.equal((await reopened.getAccount(sub.sid))?.status, 'suspended');
      assert.equal((await reopened.getAccount(sub.sid))?.ownerAccountSid, parent.sid);
      assert.equal((await reopened.authenticate(parent.sid, parent.authToken))?.account.sid, parent.sid);
      assert.equal((await reopened.authenticate(key.sid, key.secret ?? ''))?.credentialSid, key.sid);
      assert.equal(await reopened.numberOwner('+15557654321'), parent.sid);
    } finally {
      await second.close();
    }
  });
});
