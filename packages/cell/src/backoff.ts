/**
 * Retry delays: exponential back-off with full jitter (a uniform draw in [0, cap]), which
 * spreads the retries of a burst of failures instead of synchronising them.
 */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before the retry that follows failed attempt number `attempt` (1-based). */
export function retryDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * (cap + 1));
}
