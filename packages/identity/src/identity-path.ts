/**
 * Recognises the 2010 API paths the global tier answers itself (Accounts and Keys). Plain
 * string scanning: the gateway asks this for every 2010 request.
 */

export type IdentityPath =
  | { kind: 'accounts' }
  | { kind: 'account'; accountSid: string }
  | { kind: 'keys'; accountSid: string }
  | { kind: 'key'; accountSid: string; keySid: string };

const ACCOUNTS = '/2010-04-01/Accounts';
const ACCOUNTS_COLLECTION = ACCOUNTS + '.json';
const ACCOUNTS_PREFIX = ACCOUNTS + '/';
const JSON_SUFFIX = '.json';
const KEYS_COLLECTION = 'Keys.json';
const KEYS_PREFIX = 'Keys/';
const ACCOUNTS_KIND: IdentityPath = Object.freeze({ kind: 'accounts' });

/** Path below the product prefix, e.g. '/2010-04-01/Accounts/AC…/Keys.json'; null when not an identity path. */
export function matchIdentityPath(path: string): IdentityPath | null {
  if (path === ACCOUNTS_COLLECTION) return ACCOUNTS_KIND;
  if (!path.startsWith(ACCOUNTS_PREFIX)) return null;
  const rest = path.slice(ACCOUNTS_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash === -1) {
    if (!rest.endsWith(JSON_SUFFIX) || rest.length === JSON_SUFFIX.length) return null;
    return { kind: 'account', accountSid: rest.slice(0, -JSON_SUFFIX.length) };
  }
  const accountSid = rest.slice(0, slash);
  const sub = rest.slice(slash + 1);
  if (sub === KEYS_COLLECTION) return { kind: 'keys', accountSid };
  if (!sub.startsWith(KEYS_PREFIX) || !sub.endsWith(JSON_SUFFIX)) return null;
  const keySid = sub.slice(KEYS_PREFIX.length, -JSON_SUFFIX.length);
  if (keySid.length === 0 || keySid.indexOf('/') !== -1) return null;
  return { kind: 'key', accountSid, keySid };
}

/** True when the gateway must answer the path through handleIdentityRequest instead of a cell. */
export function isIdentityPath(path: string): boolean {
  return matchIdentityPath(path) !== null;
}
