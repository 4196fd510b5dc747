import { twilioError } from '@twilio-lab/core';
import type { MessageRow } from '../messages/schema.js';
import { MPS_BY_KIND, messagesPerSecond, senderKind } from './throughput.js';
import type { SenderKind, SenderProfile } from './throughput.js';

/** Twilio queues at most this much of a sender's throughput (4 hours); more answers 21611. */
export const QUEUE_HOURS = 4;
export const DEFAULT_MAX_QUEUED_PER_SENDER = 100_000;
const QUEUED_TOO_MANY = 21611;

/**
 * Whom a waiting message counts against: its From, or (a Messaging Service message still
 * `accepted`, no From chosen yet) its service.
 */
export function senderKeyOf(row: Pick<MessageRow, 'from_number' | 'messaging_service_sid'>): string | null {
  return row.from_number ?? row.messaging_service_sid;
}

/**
 * Most messages one sender key may have waiting. 'realistic': 4 hours at the sender's MPS (a
 * service key counts at the long-code rate: its pool is not known here); 'lab': a flat number.
 */
export function queueLimitFor(profile: SenderProfile, maxQueuedPerSender: number): (key: string) => number {
  if (profile === 'lab') return () => maxQueuedPerSender;
  return (key) =>
    QUEUE_HOURS * 3600 * (key.startsWith('MG') ? MPS_BY_KIND['long-code'] : messagesPerSecond(key));
}

/**
 * Messages waiting in the outbound pipeline, per sender key. Tracked by SID, so counting a
 * message twice (a retry's re-publish) or releasing it twice cannot skew the counts.
 */
export class QueuedPerSender {
  private readonly keyBySid = new Map<string, string>();
  private readonly countByKey = new Map<string, number>();

  constructor(private readonly limitFor: (key: string) => number) {}

  /** Counts a message that entered the pipeline; a no-op if it is counted already. */
  add(sid: string, key: string): void {
    if (this.keyBySid.has(sid)) return;
    this.keyBySid.set(sid, key);
    this.countByKey.set(key, (this.countByKey.get(key) ?? 0) + 1);
  }

  /** Counts a new message, or throws 21611 (nothing counted) if its sender is at its limit. */
  admit(sid: string, key: string): void {
    if (this.count(key) >= this.limitFor(key)) throw twilioError(QUEUED_TOO_MANY);
    this.add(sid, key);
  }

  /** The sender is done with the message for good; a no-op if it is not counted. */
  release(sid: string): void {
    const key = this.keyBySid.get(sid);
    if (key === undefined) return;
    this.keyBySid.delete(sid);
    const left = (this.countByKey.get(key) ?? 1) - 1;
    if (left > 0) this.countByKey.set(key, left);
    else this.countByKey.delete(key);
  }

  count(key: string): number {
    return this.countByKey.get(key) ?? 0;
  }

  /**
   * Messages waiting by sender kind (read at scrape time, so the per-message path stays a map
   * update). A Messaging Service key counts as long-code, as its queue limit does.
   */
  bySenderKind(): Map<SenderKind, number> {
    const counts = new Map<SenderKind, number>();
    for (const [key, n] of this.countByKey) {
      const kind = key.startsWith('MG') ? 'long-code' : senderKind(key);
      counts.set(kind, (counts.get(kind) ?? 0) + n);
    }
    return counts;
  }

  /** Messages counted, over all senders. */
  get size(): number {
    return this.keyBySid.size;
  }
}
