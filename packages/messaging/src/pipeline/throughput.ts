import type { Cache } from '@twilio-lab/backends';
import { isTollFree } from '../numbers/representation.js';

export type SenderProfile = 'lab' | 'realistic';

export type SenderKind = 'short-code' | 'toll-free' | 'long-code';

/** Twilio's published messages-per-second per sender type (US). */
export const MPS_BY_KIND: Readonly<Record<SenderKind, number>> = {
  'short-code': 100,
  'toll-free': 3,
  'long-code': 1,
};

const SHORT_CODE_MAX_DIGITS = 6;

export function senderKind(from: string): SenderKind {
  const digits = from.startsWith('+') ? from.slice(1) : from;
  if (!from.startsWith('+') && digits.length <= SHORT_CODE_MAX_DIGITS) return 'short-code';
  if (isTollFree(from)) return 'toll-free';
  return 'long-code';
}

export function messagesPerSecond(from: string): number {
  return MPS_BY_KIND[senderKind(from)];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `from` may send one more message. The 'lab' profile has no limit (storms);
 * 'realistic' holds a token bucket per sender in the shared cache, so every cell process
 * sending for one number shares its rate. The caller waits in line, which keeps the order;
 * `beforeWait` runs once before the first wait (the sender uses it to send what is ready).
 * Resolves to how long it was throttled, in seconds (0 when the slot was free at once).
 */
export async function awaitSendSlot(
  cache: Cache,
  profile: SenderProfile,
  from: string,
  beforeWait?: () => Promise<void>,
): Promise<number> {
  if (profile === 'lab') return 0;
  const rate = messagesPerSecond(from);
  let waitedSince = -1;
  for (;;) {
    const take = await cache.takeToken(`messaging:mps:${from}`, rate, rate);
    if (take.ok) return waitedSince < 0 ? 0 : (performance.now() - waitedSince) / 1000;
    if (waitedSince < 0) {
      waitedSince = performance.now();
      if (beforeWait !== undefined) await beforeWait();
    }
    await sleep(Math.max(take.retryAfterMs, 1));
  }
}
