/**
 * The global identity tier: accounts, subaccounts, API keys, and the phone-number directory
 * (which account owns which E.164 number, so the super-network can hand inbound traffic to
 * the right cell). In embedded mode it lives in the same SQLite file as the cell; in topology
 * mode it is the global store.
 */

export type AccountStatus = 'active' | 'suspended' | 'closed';

export interface Account {
  sid: string;
  authToken: string;
  friendlyName: string;
  status: AccountStatus;
  /** The parent account's SID, or the account's own SID for a top-level account. */
  ownerAccountSid: string;
  type: 'Full' | 'Trial';
  dateCreated: number;
  dateUpdated: number;
}

export interface ApiKey {
  sid: string;
  accountSid: string;
  friendlyName: string;
  /** Only returned once, at creation. Stored as a salted hash. */
  secret?: string;
  dateCreated: number;
  dateUpdated: number;
}

/** Who a request authenticated as. */
export interface Principal {
  account: Account;
  /** AC… when the auth token was used, SK… for an API key. */
  credentialSid: string;
}

export interface IdentityService {
  /** Constant-time check of Basic credentials; null when they do not match or the account is not active. */
  authenticate(username: string, password: string): Promise<Principal | null>;
  getAccount(sid: string): Promise<Account | undefined>;
  createAccount(input: {
    friendlyName?: string;
    parentSid?: string;
    sid?: string;
    authToken?: string;
  }): Promise<Account>;
  /** Subaccounts of `ownerSid` and the owner itself, newest first, with optional filters. */
  listAccounts(
    ownerSid: string,
    filter?: { friendlyName?: string; status?: AccountStatus },
  ): Promise<Account[]>;
  updateAccount(sid: string, patch: { friendlyName?: string; status?: AccountStatus }): Promise<Account>;
  /** True when `actorSid` may act for `targetSid` (itself, or its parent). */
  mayActFor(actorSid: string, targetSid: string): Promise<boolean>;

  createKey(accountSid: string, friendlyName?: string): Promise<ApiKey>;
  getKey(accountSid: string, keySid: string): Promise<ApiKey | undefined>;
  listKeys(accountSid: string): Promise<ApiKey[]>;
  updateKey(accountSid: string, keySid: string, friendlyName: string): Promise<ApiKey | undefined>;
  deleteKey(accountSid: string, keySid: string): Promise<boolean>;

  /** Number directory. claim fails (returns false) when another account owns the number. */
  claimNumber(e164: string, accountSid: string): Promise<boolean>;
  releaseNumber(e164: string, accountSid: string): Promise<void>;
  numberOwner(e164: string): Promise<string | undefined>;

  /** Called on any account or key change so auth caches can drop stale entries. */
  onChange(listener: (accountSid: string) => void): void;
}
