const ACCOUNTS_PREFIX = '/2010-04-01/Accounts/';
const JSON_SUFFIX = '.json';

/**
 * The AccountSid a 2010 API path names (`/2010-04-01/Accounts/{Sid}.json` or
 * `/2010-04-01/Accounts/{Sid}/…`), or undefined when the path names none (e.g. the
 * Accounts collection itself).
 */
export function pathAccountSid(path: string): string | undefined {
  if (!path.startsWith(ACCOUNTS_PREFIX)) return undefined;
  const start = ACCOUNTS_PREFIX.length;
  const slash = path.indexOf('/', start);
  if (slash !== -1) return path.slice(start, slash);
  return path.endsWith(JSON_SUFFIX) ? path.slice(start, -JSON_SUFFIX.length) : path.slice(start);
}
