import { createHash } from 'node:crypto';

export interface WeightedTarget {
  id: string;
  weight: number;
}

/**
 * Weighted rendezvous (highest random weight) hashing: each target scores
 * `-weight / ln(u)` with `u` uniform in (0, 1) from hash(key, target); the highest wins.
 * Adding or removing a target only moves the keys that it wins or held, and a target of
 * weight 2 wins twice as often as one of weight 1.
 */
export function rendezvous(key: string, targets: readonly WeightedTarget[]): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  for (const t of targets) {
    const score = -t.weight / Math.log(unitHash(key, t.id));
    if (score > bestScore) {
      bestScore = score;
      best = t.id;
    }
  }
  return best;
}

/** A hash of (key, target) mapped to the open interval (0, 1). */
function unitHash(key: string, target: string): number {
  const digest = createHash('sha256').update(key).update('\0').update(target).digest();
  // 52 bits fit a double exactly; +1 / 2^52+2 keeps the value strictly inside (0, 1).
  const high = digest.readUInt32BE(0) & 0xfffff;
  const low = digest.readUInt32BE(4);
  return (high * 2 ** 32 + low + 1) / (2 ** 52 + 2);
}
