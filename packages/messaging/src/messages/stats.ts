/**
 * Message counts by status, for the lab's status endpoint and the benchmark's reconciliation
 * (every accepted message must reach a terminal state). Read from the counts table that
 * triggers keep exact (messaging-005), so the cost does not grow with the store.
 */
import type { Store } from '@twilio-lab/backends';

export const MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'receiving',
  'received',
] as const;

export async function messageStatusCounts(store: Store): Promise<Record<string, number>> {
  const rows = await store.all<{ status: string; n: number }>('SELECT status, n FROM message_status_counts');
  const counts: Record<string, number> = {};
  for (const status of MESSAGE_STATUSES) counts[status] = 0;
  let total = 0;
  for (const row of rows) {
    counts[row.status] = Number(row.n);
    total += Number(row.n);
  }
  counts.total = total;
  return counts;
}
