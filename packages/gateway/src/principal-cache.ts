import type { IdentityService, Principal } from '@twilio-lab/identity';

const BASIC_PREFIX = 'basic ';

/** `user` and `password` of a Basic Authorization header, or null when it is not one. */
export function parseBasic(header: string): { user: string; password: string } | null {
  if (header.length <= BASIC_PREFIX.length) return null;
  if (header.slice(0, BASIC_PREFIX.length).toLowerCase() !== BASIC_PREFIX) return null;
  const decoded = Buffer.from(header.slice(BASIC_PREFIX.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Authorization header → Principal, so that the hash and comparison run once per credential
 * instead of once per request. Bounded (oldest entry evicted first); entries of an account
 * are dropped whenever identity reports a change to it (key deleted, status changed), and an
 * authentication that raced with such a change is not cached.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Principal>();
  private generation = 0;

  constructor(
    private readonly identity: IdentityService,
    private readonly maxEntries: number = 10_000,
  ) {
    identity.onChange((accountSid) => this.invalidate(accountSid));
  }

  /** Synchronous hit for the hot path; undefined on a miss. */
  cached(header: string): Principal | undefined {
    return this.entries.get(header);
  }

  async authenticate(header: string): Promise<Principal | null> {
    const credentials = parseBasic(header);
    if (credentials === null) return null;
    const generation = this.generation;
    const principal = await this.identity.authenticate(credentials.user, credentials.password);
    if (principal !== null && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
      this.entries.set(header, principal);
    }
    return principal;
  }

  invalidate(accountSid: string): void {
    this.generation++;
    for (const [header, principal] of this.entries) {
      if (principal.account.sid === accountSid || principal.account.ownerAccountSid === accountSid) {
        this.entries.delete(header);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
