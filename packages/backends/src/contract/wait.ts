import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls until `condition` holds. The deadline only turns a hang into a readable failure;
 * nothing asserts how long the wait took.
 */
export async function waitUntil(condition: () => boolean, what: string, deadlineMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await delay(2);
  }
}

/** Lets pending microtasks and a few event-loop turns run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A suffix that keeps names unique when a contract runs against a shared engine. */
export function uniqueSuffix(): string {
  return `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
