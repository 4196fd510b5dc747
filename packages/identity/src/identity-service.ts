import { isSid, newSid, notFound, rfc2822, twilioError } from '@twilio-lab/core';
import type { Migration, Store } from '@twilio-lab/backends';
import { identityMigrations } from './migrations.js';
import {
  hashSecret,
  isAuthToken,
  newAuthToken,
  newKeySecret,
  newSalt,
  sameSecret,
  secretMatches,
} from './secrets.js';
import type { Account, AccountStatus, ApiKey, IdentityService, Principal } from './types.js';

export interface IdentityOptions {
  /** Clock in epoch milliseconds (tests pin it). */
  now?: () => number;
}

export interface Identity extends IdentityService {
  readonly migrations: readonly Migration[];
}

const ACCOUNT_STATUSES: ReadonlySet<string> = new Set<AccountStatus>(['active', 'suspended', 'closed']);

export function isAccountStatus(value: string): value is AccountStatus {
  return ACCOUNT_STATUSES.has(value);
}

interface AccountRow {
  sid: string;
  auth_token: string;
  friendly_name: string;
  status: string;
  owner_account_sid: string;
  type: string;
  date_created: number | bigint;
  date_updated: number | bigint;
}

interface KeyRow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  secret_salt: string;
  secret_hash: string;
  date_created: number | bigint;
  date_updated: number | bigint;
}

/** What the key cache keeps: everything but the secret, which is never stored. */
interface StoredKey {
  readonly sid: string;
  readonly accountSid: string;
  readonly friendlyName: string;
  readonly salt: string;
  readonly hashHex: string;
  readonly dateCreated: number;
  readonly dateUpdated: number;
}

function accountFromRow(row: AccountRow): Account {
  return Object.freeze({
    sid: row.sid,
    authToken: row.auth_token,
    friendlyName: row.friendly_name,
    status: isAccountStatus(row.status) ? row.status : 'closed',
    ownerAccountSid: row.owner_account_sid,
    type: row.type === 'Trial' ? 'Trial' : 'Full',
    dateCreated: Number(row.date_created),
    dateUpdated: Number(row.date_updated),
  });
}

function keyFromRow(row: KeyRow): StoredKey {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    friendlyName: row.friendly_name,
    salt: row.secret_salt,
    hashHex: row.secret_hash,
    dateCreated: Number(row.date_created),
    dateUpdated: Number(row.date_updated),
  };
}

function publicKey(key: StoredKey): ApiKey {
  return {
    sid: key.sid,
    accountSid: key.accountSid,
    friendlyName: key.friendlyName,
    dateCreated: key.dateCreated,
    dateUpdated: key.dateUpdated,
  };
}

/** Newest first; the SID breaks ties so the order is total (keyset paging relies on it). */
function newestFirst(
  a: { dateCreated: number; sid: string },
  b: { dateCreated: number; sid: string },
): number {
  if (a.dateCreated !== b.dateCreated) return b.dateCreated - a.dateCreated;
  return a.sid < b.sid ? 1 : a.sid > b.sid ? -1 : 0;
}

function isTopLevel(account: Account): boolean {
  return account.ownerAccountSid === account.sid;
}

/**
 * The identity service on a backends Store. Accounts and key hashes are few and read on
 * every request, so all of them live in memory; the store is the durable copy, written
 * before the cache changes. In topology mode each gateway process holds its own cache, so a
 * change made through one process reaches another only after a restart (a known limit).
 */
class StoreIdentity implements Identity {
  readonly migrations = identityMigrations;
  private readonly accounts = new Map<string, Account>();
  private readonly keys = new Map<string, StoredKey>();
  private readonly listeners: ((accountSid: string) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    await this.store.migrate(identityMigrations);
    for (const row of await this.store.all<AccountRow>('SELECT * FROM accounts')) {
      this.accounts.set(row.sid, accountFromRow(row));
    }
    for (const row of await this.store.all<KeyRow>('SELECT * FROM api_keys')) {
      this.keys.set(row.sid, keyFromRow(row));
    }
  }

  /** Active, and (for a subaccount) its parent active too: suspending a parent suspends its subaccounts. */
  private isEffectivelyActive(account: Account): boolean {
    if (account.status !== 'active') return false;
    if (isTopLevel(account)) return true;
    return this.accounts.get(account.ownerAccountSid)?.status === 'active';
  }

  async authenticate(username: string, password: string): Promise<Principal | null> {
    if (username.startsWith('AC')) {
      const account = this.accounts.get(username);
      if (account === undefined || !sameSecret(account.authToken, password)) return null;
      return this.isEffectivelyActive(account) ? { account, credentialSid: account.sid } : null;
    }
    if (username.startsWith('SK')) {
      const key = this.keys.get(username);
      if (key === undefined || !secretMatches(key.salt, key.hashHex, password)) return null;
      const account = this.accounts.get(key.accountSid);
      if (account === undefined || !this.isEffectivelyActive(account)) return null;
      return { account, credentialSid: key.sid };
    }
    return null;
  }

  async getAccount(sid: string): Promise<Account | undefined> {
    return this.accounts.get(sid);
  }

  async createAccount(input: {
    friendlyName?: string;
    parentSid?: string;
    sid?: string;
    authToken?: string;
  }): Promise<Account> {
    const sid = input.sid ?? newSid('AC');
    if (!isSid(sid, 'AC')) throw twilioError(20001, `Invalid account Sid: ${sid}`);
    if (this.accounts.has(sid)) throw twilioError(20001, `Account ${sid} already exists`);
    const authToken = input.authToken ?? newAuthToken();
    if (!isAuthToken(authToken)) {
      throw twilioError(20001, 'Invalid AuthToken: expected 32 lower-case hexadecimal characters');
    }
    const now = this.now();
    let owner = sid;
    let type: Account['type'] = 'Full';
    if (input.parentSid !== undefined) {
      const parent = this.accounts.get(input.parentSid);
      if (parent === undefined) throw notFound(`/2010-04-01/Accounts/${input.parentSid}.json`);
      if (!isTopLevel(parent)) throw twilioError(20001, 'A subaccount cannot create subaccounts');
      if (parent.status === 'closed') throw twilioError(20005, 'A closed account cannot create subaccounts');
      owner = parent.sid;
      type = parent.type;
    }
    const friendlyName =
      input.friendlyName ??
      (input.parentSid === undefined ? 'twilio-lab account' : `SubAccount Created at ${rfc2822(now)}`);
    const account: Account = Object.freeze({
      sid,
      authToken,
      friendlyName,
      status: 'active',
      ownerAccountSid: owner,
      type,
      dateCreated: now,
      dateUpdated: now,
    });
    await this.store.write([
      {
        sql: `INSERT INTO accounts (sid, auth_token, friendly_name, status, owner_account_sid, type, date_created, date_updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [sid, authToken, friendlyName, 'active', owner, type, now, now],
      },
    ]);
    this.accounts.set(sid, account);
    return account;
  }

  async listAccounts(
    ownerSid: string,
    filter?: { friendlyName?: string; status?: AccountStatus },
  ): Promise<Account[]> {
    const out: Account[] = [];
    for (const account of this.accounts.values()) {
      if (account.sid !== ownerSid && account.ownerAccountSid !== ownerSid) continue;
      if (filter?.friendlyName !== undefined && account.friendlyName !== filter.friendlyName) continue;
      if (filter?.status !== undefined && account.status !== filter.status) continue;
      out.push(account);
    }
    return out.sort(newestFirst);
  }

  async updateAccount(
    sid: string,
    patch: { friendlyName?: string; status?: AccountStatus },
  ): Promise<Account> {
    const current = this.accounts.get(sid);
    if (current === undefined) throw notFound(`/2010-04-01/Accounts/${sid}.json`);
    if (patch.status !== undefined && !isAccountStatus(patch.status)) {
      throw twilioError(20001, `Invalid Status: ${String(patch.status)}`);
    }
    if (current.status === 'closed' && patch.status !== undefined && patch.status !== 'closed') {
      throw twilioError(20001, 'A closed account cannot be reopened');
    }
    const now = this.now();
    const next: Account = Object.freeze({
      ...current,
      friendlyName: patch.friendlyName ?? current.friendlyName,
      status: patch.status ?? current.status,
      dateUpdated: now,
    });
    await this.store.write([
      {
        sql: 'UPDATE accounts SET friendly_name = ?, status = ?, date_updated = ? WHERE sid = ?',
        params: [next.friendlyName, next.status, now, sid],
      },
    ]);
    this.accounts.set(sid, next);
    this.emit(sid);
    // A parent's status gates its subaccounts' credentials, so their cached principals go stale too.
    if (isTopLevel(next) && next.status !== current.status) {
      for (const account of this.accounts.values()) {
        if (account.ownerAccountSid === sid && account.sid !== sid) this.emit(account.sid);
      }
    }
    return next;
  }

  async mayActFor(actorSid: string, targetSid: string): Promise<boolean> {
    if (actorSid === targetSid) return this.accounts.has(actorSid);
    return this.accounts.get(targetSid)?.ownerAccountSid === actorSid;
  }

  async createKey(accountSid: string, friendlyName?: string): Promise<ApiKey> {
    if (!this.accounts.has(accountSid)) throw notFound(`/2010-04-01/Accounts/${accountSid}.json`);
    const now = this.now();
    const secret = newKeySecret();
    const salt = newSalt();
    const key: StoredKey = {
      sid: newSid('SK'),
      accountSid,
      friendlyName: friendlyName ?? '',
      salt,
      hashHex: hashSecret(salt, secret).toString('hex'),
      dateCreated: now,
      dateUpdated: now,
    };
    await this.store.write([
      {
        sql: `INSERT INTO api_keys (sid, account_sid, friendly_name, secret_salt, secret_hash, date_created, date_updated)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
        params: [key.sid, accountSid, key.friendlyName, salt, key.hashHex, now, now],
      },
    ]);
    this.keys.set(key.sid, key);
    return { ...publicKey(key), secret };
  }

  private ownedKey(accountSid: string, keySid: string): StoredKey | undefined {
    const key = this.keys.get(keySid);
    return key !== undefined && key.accountSid === accountSid ? key : undefined;
  }

  async getKey(accountSid: string, keySid: string): Promise<ApiKey | undefined> {
    const key = this.ownedKey(accountSid, keySid);
    return key === undefined ? undefined : publicKey(key);
  }

  async listKeys(accountSid: string): Promise<ApiKey[]> {
    const out: ApiKey[] = [];
    for (const key of this.keys.values()) {
      if (key.accountSid === accountSid) out.push(publicKey(key));
    }
    return out.sort(newestFirst);
  }

  async updateKey(accountSid: string, keySid: string, friendlyName: string): Promise<ApiKey | undefined> {
    const current = this.ownedKey(accountSid, keySid);
    if (current === undefined) return undefined;
    const now = this.now();
    await this.store.write([
      {
        sql: 'UPDATE api_keys SET friendly_name = ?, date_updated = ? WHERE sid = ?',
        params: [friendlyName, now, keySid],
      },
    ]);
    const next: StoredKey = { ...current, friendlyName, dateUpdated: now };
    this.keys.set(keySid, next);
    this.emit(accountSid);
    return publicKey(next);
  }

  async deleteKey(accountSid: string, keySid: string): Promise<boolean> {
    if (this.ownedKey(accountSid, keySid) === undefined) return false;
    await this.store.write([{ sql: 'DELETE FROM api_keys WHERE sid = ?', params: [keySid] }]);
    this.keys.delete(keySid);
    this.emit(accountSid);
    return true;
  }

  async claimNumber(e164: string, accountSid: string): Promise<boolean> {
    await this.store.write([
      {
        sql: 'INSERT INTO phone_number_directory (e164, account_sid, date_created) VALUES (?, ?, ?) ON CONFLICT (e164) DO NOTHING',
        params: [e164, accountSid, this.now()],
      },
    ]);
    return (await this.numberOwner(e164)) === accountSid;
  }

  async releaseNumber(e164: string, accountSid: string): Promise<void> {
    await this.store.write([
      {
        sql: 'DELETE FROM phone_number_directory WHERE e164 = ? AND account_sid = ?',
        params: [e164, accountSid],
      },
    ]);
  }

  async numberOwner(e164: string): Promise<string | undefined> {
    const row = await this.store.get<{ account_sid: string }>(
      'SELECT account_sid FROM phone_number_directory WHERE e164 = ?',
      [e164],
    );
    return row?.account_sid;
  }

  onChange(listener: (accountSid: string) => void): void {
    this.listeners.push(listener);
  }

  private emit(accountSid: string): void {
    // A listener's failure must not turn a change that is already durable into an error.
    for (const listener of this.listeners) {
      try {
        listener(accountSid);
      } catch {
        /* the listener's own concern */
      }
    }
  }
}

/** Opens the identity service on `store`, applying its migrations and loading its caches. */
export async function createIdentity(store: Store, options: IdentityOptions = {}): Promise<Identity> {
  const identity = new StoreIdentity(store, options.now ?? Date.now);
  await identity.load();
  return identity;
}
