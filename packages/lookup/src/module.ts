/**
 * Lookups v2 as a cell product module: GET /v2/PhoneNumbers/{PhoneNumber}. A hot read path,
 * so the work per request is: a token from the account's bucket and a cache probe (together),
 * then either the cached JSON text or one engine run whose text is cached for a day.
 */
import { createHash } from 'node:crypto';
import { twilioError } from '@twilio-lab/core';
import type { CellResponse, FormParams } from '@twilio-lab/core';
import type { Cache, TokenTake } from '@twilio-lab/backends';
import type { CellContext, Logger, ProductModule, RouteContext } from '@twilio-lab/cell';
import type { CarrierSource } from './carrier-directory.js';
import { LookupEngine, withOrigin } from './engine.js';
import type { LookupQuery } from './engine.js';
import { IDENTITY_MATCH_BIT, parseFields, REASSIGNED_NUMBER_BIT } from './fields.js';
import { IDENTITY_PARAMETERS } from './synthetic/identity-match.js';
import type { IdentityClaims } from './synthetic/identity-match.js';

export interface LookupOptions {
  /**
   * The super-network's carriers when they are not its built-in set (e.g. a carriers file):
   * `carrier_name` then follows the same least-cost choice. Default: the shipped dataset,
   * which mirrors the super-network's default carriers.
   */
  carriers?: readonly CarrierSource[];
  /** Per-account token bucket; false disables it. Default 5,000/s with a burst of 10,000. */
  rateLimit?: { ratePerSec: number; burst: number } | false;
  /** How long a response stays in the cache. Default 24 h; 0 disables the response cache. */
  cacheTtlMs?: number;
}

export const DEFAULT_RATE_LIMIT = { ratePerSec: 5_000, burst: 10_000 } as const;
export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

const FETCH_PATH = '/v2/PhoneNumbers/:PhoneNumber';
const CACHE_PREFIX = 'lookups:v2:';
const RATE_PREFIX = 'lookups:rate:';
/** Longer input is answered but never cached (a cache key is not a place for arbitrary text). */
const MAX_CACHED_INPUT = 64;
const DATE_YYYYMMDD = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });
const UNLIMITED: TokenTake = Object.freeze({
  ok: true,
  retryAfterMs: 0,
  remaining: Number.POSITIVE_INFINITY,
});

export function lookupModule(options: LookupOptions = {}): ProductModule {
  const engine = new LookupEngine(options.carriers);
  return {
    name: 'lookups',
    migrations: [],
    routes: (ctx) => {
      const routes = new LookupRoutes(engine, ctx, options);
      return [{ method: 'GET', product: 'lookups', path: FETCH_PATH, handler: (rc) => routes.fetch(rc) }];
    },
  };
}

class LookupRoutes {
  private readonly cache: Cache;
  private readonly log: Logger;
  private readonly rateLimit: { ratePerSec: number; burst: number } | false;
  private readonly ttlMs: number;

  // Error handlers made once, not per request.
  private readonly onCacheWriteError = (error: unknown): void => {
    this.log.warn({ err: String(error) }, 'lookup: caching a response failed');
  };
  private readonly onCacheReadError = (error: unknown): undefined => {
    this.log.warn({ err: String(error) }, 'lookup: response cache unavailable');
    return undefined;
  };
  private readonly onRateLimiterError = (error: unknown): TokenTake => {
    this.log.warn({ err: String(error) }, 'lookup: rate limiter unavailable, request let through');
    return UNLIMITED;
  };

  constructor(
    private readonly engine: LookupEngine,
    ctx: CellContext,
    options: LookupOptions,
  ) {
    this.cache = ctx.cache;
    this.log = ctx.log;
    this.rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    const query = readQuery(rc);
    const key = this.ttlMs > 0 ? cacheKey(query) : undefined;
    const [take, cached] = await Promise.all([
      this.takeToken(rc.req.accountSid),
      key === undefined ? undefined : this.cachedText(key),
    ]);
    if (!take.ok) {
      const seconds = Math.max(1, Math.ceil(take.retryAfterMs / 1000));
      throw twilioError(20429, undefined, { headers: { 'Retry-After': String(seconds) } });
    }
    let text = cached;
    if (text === undefined) {
      text = this.engine.lookupText(query);
      if (key !== undefined) {
        // Not awaited: the answer does not depend on the write, and a Redis round trip would add to every miss.
        this.cache.set(key, text, this.ttlMs).catch(this.onCacheWriteError);
      }
    }
    return { status: 200, headers: { ...JSON_HEADERS }, body: withOrigin(text, rc.req.origin) };
  }

  private takeToken(accountSid: string): Promise<TokenTake> {
    if (this.rateLimit === false) return Promise.resolve(UNLIMITED);
    const { ratePerSec, burst } = this.rateLimit;
    // A cache outage must not take Lookup down with it: the gateway still limits every account.
    return this.cache.takeToken(RATE_PREFIX + accountSid, ratePerSec, burst).catch(this.onRateLimiterError);
  }

  private cachedText(key: string): Promise<string | undefined> {
    return this.cache.get(key).catch(this.onCacheReadError);
  }
}

function readQuery(rc: RouteContext): LookupQuery {
  const q = rc.query;
  const fields = parseFields(q.getAll('Fields'));
  const query: LookupQuery = { phoneNumber: rc.params.PhoneNumber ?? '', fields };
  const countryCode = q.get('CountryCode');
  if (countryCode !== undefined) query.countryCode = countryCode;
  if ((fields & IDENTITY_MATCH_BIT) !== 0) query.claims = readClaims(q);
  if ((fields & REASSIGNED_NUMBER_BIT) !== 0) {
    const date = q.get('LastVerifiedDate');
    if (date !== undefined && date !== '') {
      if (!DATE_YYYYMMDD.test(date)) {
        throw twilioError(20001, "Invalid parameter: LastVerifiedDate must be a date written 'YYYYMMDD'");
      }
      query.lastVerifiedDate = date;
    }
  }
  return query;
}

function readClaims(q: FormParams): IdentityClaims {
  const claims: IdentityClaims = {};
  for (const [name, key] of IDENTITY_PARAMETERS) {
    const value = q.get(name);
    if (value !== undefined) claims[key] = value;
  }
  return claims;
}

/**
 * Field mask, CountryCode, the parameters the asked packages read, then the number as given
 * (last, so no input can be mistaken for another part). Identity claims enter only as a
 * digest: no personal data is written to a shared cache. Undefined (not cached) for oversized input.
 */
function cacheKey(query: LookupQuery): string | undefined {
  if (query.phoneNumber.length > MAX_CACHED_INPUT) return undefined;
  const countryCode = query.countryCode ?? '';
  let extras = query.lastVerifiedDate ?? '';
  if (query.claims !== undefined) {
    const parts: string[] = [];
    for (const [, name] of IDENTITY_PARAMETERS) parts.push(query.claims[name] ?? '');
    extras += '/' + createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
  }
  return `${CACHE_PREFIX}${query.fields}|${countryCode.length}:${countryCode}|${extras}|${query.phoneNumber}`;
}
