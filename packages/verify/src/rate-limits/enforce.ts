import { createHash } from 'node:crypto';
import { twilioError } from '@twilio-lab/core';
import type { FormParams } from '@twilio-lab/core';
import type { Cache, Store } from '@twilio-lab/backends';
import type { BucketRow, RateLimitRow } from '../schema.js';
import { invalid } from '../util/params.js';

const BRACKETED = 'RateLimits[';

/**
 * The rate-limit values of a start: the official client sends `RateLimits` as one JSON object
 * ({"unique_name": "value"}); the `RateLimits[unique_name]=value` form is accepted as well.
 */
export function readRateLimitValues(form: FormParams): Map<string, string> {
  const values = new Map<string, string>();
  const json = form.get('RateLimits');
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw invalid('RateLimits', 'expected a JSON object of unique names to values');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw invalid('RateLimits', 'expected a JSON object of unique names to values');
    }
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`RateLimits[${name}]`);
      values.set(name, String(value));
    }
  }
  for (const name of form.names()) {
    if (!name.startsWith(BRACKETED) || !name.endsWith(']')) continue;
    const value = form.get(name);
    if (value !== undefined) values.set(name.slice(BRACKETED.length, -1), value);
  }
  return values;
}

/**
 * Counts one start against every bucket of every named rate limit (fixed windows of the
 * bucket's interval, counted with the cache's atomic increment so concurrent cells agree).
 * Over a limit: 429 20429 as the spec's example, with Retry-After (seconds to the window's
 * end) and Twilio-Reached-Rate-Limit naming the rate limit.
 */
export async function enforceRateLimits(
  store: Store,
  cache: Cache,
  serviceSid: string,
  values: ReadonlyMap<string, string>,
  now: number,
): Promise<void> {
  for (const [name, value] of values) {
    const limit = await store.get<RateLimitRow>(
      'SELECT * FROM verify_rate_limits WHERE service_sid = ? AND unique_name = ?',
      [serviceSid, name],
    );
    if (limit === undefined) throw invalid(`RateLimits[${name}]`, 'no rate limit has this unique name');
    const buckets = await store.all<BucketRow>(
      'SELECT * FROM verify_rate_limit_buckets WHERE rate_limit_sid = ?',
      [limit.sid],
    );
    // The value may be PII (an IP, a user id): only its digest goes into the cache key.
    const digest = createHash('sha256').update(value).digest('hex').slice(0, 32);
    for (const bucket of buckets) {
      const intervalMs = Number(bucket.interval_seconds) * 1000;
      const window = Math.floor(now / intervalMs);
      const count = await cache.incr(`verify:bucket:${bucket.sid}:${window}:${digest}`, intervalMs);
      if (count > Number(bucket.max_requests)) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * intervalMs - now) / 1000));
        throw twilioError(20429, `Too many requests: rate limit '${limit.unique_name}' reached`, {
          headers: { 'Retry-After': String(retryAfter), 'Twilio-Reached-Rate-Limit': limit.unique_name },
        });
      }
    }
  }
}
