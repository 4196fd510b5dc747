/**
 * The child side of the durability contract: writes rows 1..total with several writes in
 * flight (so they group-commit like real traffic) and prints `ack <id>` only after the
 * write resolved. Then it idles, so the parent's SIGKILL always lands on a live process.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Store } from '../types.js';
import { DURABILITY_MIGRATIONS, durabilityPayload } from './store.contract.js';

const IN_FLIGHT = 16;

export async function runDurabilityWriter(store: Store, total: number): Promise<never> {
  await store.migrate(DURABILITY_MIGRATIONS);
  let next = 1;
  const writer = async (): Promise<void> => {
    while (next <= total) {
      const id = next++;
      await store.write([
        {
          sql: 'INSERT INTO durability_rows (id, payload) VALUES (?, ?)',
          params: [id, durabilityPayload(id)],
        },
      ]);
      // stdout to a pipe is synchronous on POSIX: the ack is out before the next write starts.
      process.stdout.write(`ack ${id}\n`);
      // Pace the stream a little so the parent's kill lands mid-stream even on a disk
      // whose fsync is free (tmpfs).
      if (id % 50 === 0) await delay(5);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
  for (;;) await delay(60_000);
}
