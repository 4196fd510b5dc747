import type { Cache } from '@twilio-lab/backends';
import type { VerifyChannel } from '../options.js';

/**
 * A pending verification as the cache holds it. It never changes after creation except for its
 * code hash (a resend with a new custom code); everything that moves (sends, checks, the end)
 * is an atomic counter beside it, so concurrent requests in any cell sharing the cache cannot
 * exceed a limit or finish a verification twice.
 */
export interface VerificationRecord {
  sid: string;
  accountSid: string;
  serviceSid: string;
  to: string;
  channel: VerifyChannel;
  codeHash: string;
  /** The code came from CustomCode (it cannot be derived again for a resend). */
  custom: boolean;
  codeLength: number;
  amount: string | null;
  payee: string | null;
  locale: string;
  lookup: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
}

export interface SendAttempt {
  time: number;
  channel: VerifyChannel;
  attemptSid: string;
}

/**
 * How long a creation claim holds: long enough for one delivery, short enough that a crash
 * between claim and record never blocks a number for the whole validity window.
 */
const CLAIM_TTL_MS = 30_000;

/**
 * Keys are built from SIDs and the destination only (never a cell id), so every cell and
 * region sharing the cache sees the same verification.
 */
const key = {
  byTo: (service: string, to: string) => `verify:${service}:to:${to}`,
  bySid: (service: string, sid: string) => `verify:${service}:ve:${sid}`,
  claim: (service: string, to: string) => `verify:${service}:claim:${to}`,
  sends: (sid: string) => `verify:${sid}:sends`,
  failed: (sid: string) => `verify:${sid}:failed`,
  checks: (sid: string) => `verify:${sid}:checks`,
  finished: (sid: string) => `verify:${sid}:finished`,
  attempt: (sid: string, n: number) => `verify:${sid}:attempt:${n}`,
};

export class VerificationState {
  constructor(
    private readonly cache: Cache,
    private readonly now: () => number,
  ) {}

  async byTo(serviceSid: string, to: string): Promise<VerificationRecord | undefined> {
    const text = await this.cache.get(key.byTo(serviceSid, to));
    return text === undefined ? undefined : (JSON.parse(text) as VerificationRecord);
  }

  async bySid(serviceSid: string, sid: string): Promise<VerificationRecord | undefined> {
    const to = await this.cache.get(key.bySid(serviceSid, sid));
    if (to === undefined) return undefined;
    const record = await this.byTo(serviceSid, to);
    return record?.sid === sid ? record : undefined;
  }

  /** True for exactly one of the concurrent callers that find no verification for `to`. */
  async claimCreation(serviceSid: string, to: string): Promise<boolean> {
    return (await this.cache.incr(key.claim(serviceSid, to), CLAIM_TTL_MS)) === 1;
  }

  releaseClaim(serviceSid: string, to: string): Promise<void> {
    return this.cache.del(key.claim(serviceSid, to));
  }

  /**
   * Publishes a new verification after its first delivery succeeded. The record goes last:
   * concurrent starts wait for it, and by then its counters and first attempt exist.
   */
  async create(record: VerificationRecord, first: SendAttempt): Promise<void> {
    const ttl = this.ttl(record);
    await this.cache.incr(key.sends(record.sid), ttl);
    await this.cache.set(key.attempt(record.sid, 1), JSON.stringify(first), ttl);
    await this.cache.set(key.bySid(record.serviceSid, record.sid), record.to, ttl);
    await this.cache.set(key.byTo(record.serviceSid, record.to), JSON.stringify(record), ttl);
  }

  /** Replaces the stored record (its code hash changed); the expiry stays. */
  async replace(record: VerificationRecord): Promise<void> {
    await this.cache.set(key.byTo(record.serviceSid, record.to), JSON.stringify(record), this.ttl(record));
  }

  /**
   * Takes a send slot. `slot` numbers the attempt; `sends` is how many sends that makes once
   * failed deliveries are given back (it is what the limit is compared with).
   */
  async reserveSend(record: VerificationRecord): Promise<{ slot: number; sends: number }> {
    const slot = await this.cache.incr(key.sends(record.sid), this.ttl(record));
    const failed = Number((await this.cache.get(key.failed(record.sid))) ?? '0');
    return { slot, sends: slot - failed };
  }

  /** A reserved send whose delivery failed: it must not count against the limit. */
  async sendFailed(record: VerificationRecord): Promise<void> {
    await this.cache.incr(key.failed(record.sid), this.ttl(record));
  }

  async recordAttempt(record: VerificationRecord, slot: number, attempt: SendAttempt): Promise<void> {
    await this.cache.set(key.attempt(record.sid, slot), JSON.stringify(attempt), this.ttl(record));
  }

  /** The successful sends, oldest first. */
  async attempts(record: VerificationRecord): Promise<SendAttempt[]> {
    const slots = Number((await this.cache.get(key.sends(record.sid))) ?? '0');
    const texts = await Promise.all(
      Array.from({ length: slots }, (_, i) => this.cache.get(key.attempt(record.sid, i + 1))),
    );
    const attempts: SendAttempt[] = [];
    for (const text of texts) if (text !== undefined) attempts.push(JSON.parse(text) as SendAttempt);
    return attempts;
  }

  /** Counts one check; returns how many checks the verification has had, this one included. */
  registerCheck(record: VerificationRecord): Promise<number> {
    return this.cache.incr(key.checks(record.sid), this.ttl(record));
  }

  /**
   * Ends the verification (approved, canceled, max attempts, expired). True for exactly one
   * caller; the others must act as if it were already gone. The finished marker outlives the
   * record until its expiry so that a request that read the record just before cannot end it
   * a second time.
   */
  async finish(record: VerificationRecord): Promise<boolean> {
    const first = (await this.cache.incr(key.finished(record.sid), this.ttl(record))) === 1;
    if (first) {
      await Promise.all([
        this.cache.del(key.byTo(record.serviceSid, record.to)),
        this.cache.del(key.bySid(record.serviceSid, record.sid)),
        this.cache.del(key.claim(record.serviceSid, record.to)),
      ]);
    }
    return first;
  }

  /** The verification ended after `record` was read (its record may not be deleted yet). */
  async finished(record: VerificationRecord): Promise<boolean> {
    return (await this.cache.get(key.finished(record.sid))) !== undefined;
  }

  expired(record: VerificationRecord): boolean {
    return record.expiresAt <= this.now();
  }

  /** Remaining validity, at least 1 ms (the cache refuses a zero TTL). */
  private ttl(record: VerificationRecord): number {
    return Math.max(1, record.expiresAt - this.now());
  }
}
