import type { Store } from '@twilio-lab/backends';
import type { Account, IdentityService } from '@twilio-lab/identity';

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

/**
 * Identity as a cell process sees it. The identity service keeps every account in memory,
 * loaded once at start, and the gateway process creates accounts after that (subaccounts over
 * the API). A cell needs an account mainly to sign its webhooks with the auth token, so an
 * account the cell's copy does not know is read from the global store on first use.
 */
export function cellIdentity(base: IdentityService, globalStore: Store): IdentityService {
  const fetched = new Map<string, Account>();
  async function readAccount(sid: string): Promise<Account | undefined> {
    const row = await globalStore.get<AccountRow>('SELECT * FROM accounts WHERE sid = ?', [sid]);
    if (row === undefined) return undefined;
    const account: Account = Object.freeze({
      sid: row.sid,
      authToken: row.auth_token,
      friendlyName: row.friendly_name,
      status: row.status === 'active' || row.status === 'suspended' ? row.status : 'closed',
      ownerAccountSid: row.owner_account_sid,
      type: row.type === 'Trial' ? 'Trial' : 'Full',
      dateCreated: Number(row.date_created),
      dateUpdated: Number(row.date_updated),
    });
    fetched.set(sid, account);
    return account;
  }
  return {
    authenticate: (username, password) => base.authenticate(username, password),
    async getAccount(sid) {
      return (await base.getAccount(sid)) ?? fetched.get(sid) ?? (await readAccount(sid));
    },
    createAccount: (input) => base.createAccount(input),
    listAccounts: (ownerSid, filter) => base.listAccounts(ownerSid, filter),
    updateAccount: (sid, patch) => base.updateAccount(sid, patch),
    async mayActFor(actorSid, targetSid) {
      if (await base.mayActFor(actorSid, targetSid)) return true;
      const target = fetched.get(targetSid) ?? (await readAccount(targetSid));
      return target !== undefined && (target.sid === actorSid || target.ownerAccountSid === actorSid);
    },
    createKey: (accountSid, friendlyName) => base.createKey(accountSid, friendlyName),
    getKey: (accountSid, keySid) => base.getKey(accountSid, keySid),
    listKeys: (accountSid) => base.listKeys(accountSid),
    updateKey: (accountSid, keySid, friendlyName) => base.updateKey(accountSid, keySid, friendlyName),
    deleteKey: (accountSid, keySid) => base.deleteKey(accountSid, keySid),
    claimNumber: (e164, accountSid) => base.claimNumber(e164, accountSid),
    releaseNumber: (e164, accountSid) => base.releaseNumber(e164, accountSid),
    numberOwner: (e164) => base.numberOwner(e164),
    onChange: (listener) => base.onChange(listener),
  };
}
