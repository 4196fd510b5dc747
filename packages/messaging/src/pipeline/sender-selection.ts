import { countryOf } from '@twilio-lab/core';
import type { Cache, Store } from '@twilio-lab/backends';
import type { ServiceRow } from '../messages/schema.js';
import { servicePool } from '../services/repo.js';

const STICKY_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Picks the From of a Messaging Service message: the sticky sender this recipient already
 * got (when the service is sticky and the number is still in the pool), else a pool number of
 * the recipient's country, round robin among them; any pool number when none matches.
 * Returns null when the pool is empty.
 */
export async function chooseSender(
  store: Store,
  cache: Cache,
  service: Pick<ServiceRow, 'sid' | 'sticky_sender'>,
  to: string,
): Promise<string | null> {
  const pool = (await servicePool(store, service.sid)).map((n) => n.phone_number);
  if (pool.length === 0) return null;
  const stickyKey = `messaging:sticky:${service.sid}:${to}`;
  if (service.sticky_sender === 1) {
    const remembered = await cache.get(stickyKey);
    if (remembered !== undefined && pool.includes(remembered)) return remembered;
  }
  const country = countryOf(to);
  const local = pool.filter((n) => countryOf(n) === country);
  const candidates = local.length > 0 ? local : pool;
  const turn = await cache.incr(`messaging:rr:${service.sid}:${country ?? 'any'}`);
  const chosen = candidates[(turn - 1) % candidates.length] ?? candidates[0] ?? pool[0];
  if (chosen === undefined) return null;
  if (service.sticky_sender === 1) await cache.set(stickyKey, chosen, STICKY_TTL_MS);
  return chosen;
}
