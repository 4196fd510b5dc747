/**
 * What messaging records (docs/METRICS.md: messaging, sender, queue and carrier receipt
 * families), when its cell context carries a registry. Every series a message can touch is
 * resolved once — per status, direction, sender kind, account, carrier — and kept, so the hot
 * paths (accept, status change) do a lookup and an addition and allocate nothing.
 */
import { carrierMetrics, messagingMetrics, queueMetrics, senderMetrics } from '@twilio-lab/metrics';
import type { CounterChild, HistogramChild, Registry } from '@twilio-lab/metrics';
import type { CellContext } from '@twilio-lab/cell';
import type { ReceiptStatus } from '@twilio-lab/super-network';
import type { MessageDirection, MessageRow, MessageStatus } from './messages/schema.js';
import { MESSAGE_STATUSES } from './messages/stats.js';
import { OUTBOUND_TOPIC } from './pipeline/outbox.js';
import { senderKind } from './pipeline/throughput.js';
import type { SenderKind } from './pipeline/throughput.js';

const SENDER_KINDS: readonly SenderKind[] = ['long-code', 'toll-free', 'short-code'];
const DIRECTIONS: readonly MessageDirection[] = [
  'outbound-api',
  'outbound-reply',
  'outbound-call',
  'inbound',
];
/** Statuses that end a message's journey, with their end-to-end series. */
const END_TO_END_OUTCOMES = ['delivered', 'undelivered', 'failed'] as const;
/** Carrier receipt status label: a carrier-side 'failed' is the carrier rejecting the message. */
const RECEIPT_LABEL: Readonly<Record<ReceiptStatus, string>> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'rejected',
};

type TierLabel = 'full' | 'trial' | 'none';

interface SenderSeries {
  sent: CounterChild;
  throttled: CounterChild;
  throttleWait: HistogramChild;
}

export class MessagingRecorder {
  private readonly families: ReturnType<typeof messagingMetrics>;
  private readonly senders: ReturnType<typeof senderMetrics>;
  private readonly carriers: ReturnType<typeof carrierMetrics>;
  readonly acceptToDurable: HistogramChild;
  readonly outboundPublished: CounterChild;
  private readonly statusChildren = new Map<MessageStatus, CounterChild>();
  private readonly endToEnd = new Map<MessageStatus, HistogramChild>();
  private readonly senderSeries = new Map<SenderKind, SenderSeries>();
  /** accepted{direction,tier} children by direction then account (an account's tier is looked up once). */
  private readonly acceptedByAccount = new Map<MessageDirection, Map<string, CounterChild>>();
  private readonly receiptChildren = new Map<string, Map<ReceiptStatus, CounterChild>>();

  constructor(
    registry: Registry,
    private readonly tierOf: (accountSid: string) => Promise<TierLabel>,
  ) {
    this.families = messagingMetrics(registry);
    this.senders = senderMetrics(registry);
    this.carriers = carrierMetrics(registry);
    this.acceptToDurable = this.families.acceptToDurable.child({});
    this.outboundPublished = queueMetrics(registry).published.child({ queue: OUTBOUND_TOPIC });
    for (const status of MESSAGE_STATUSES) {
      this.statusChildren.set(status, this.families.statusTransitions.child({ status }));
    }
    for (const outcome of END_TO_END_OUTCOMES) {
      this.endToEnd.set(outcome, this.families.endToEnd.child({ outcome }));
    }
    for (const kind of SENDER_KINDS) {
      const labels = { sender_kind: kind };
      this.senderSeries.set(kind, {
        sent: this.senders.sent.child(labels),
        throttled: this.senders.throttled.child(labels),
        throttleWait: this.senders.throttleWait.child(labels),
      });
    }
    for (const direction of DIRECTIONS) this.acceptedByAccount.set(direction, new Map());
  }

  /**
   * A new message row is durable. Its accepted series is found without awaiting once the
   * account was seen; the first message of an account waits for one identity lookup.
   */
  accepted(row: Pick<MessageRow, 'account_sid' | 'direction' | 'status'>): void | Promise<void> {
    this.status(row.status);
    const byAccount = this.acceptedByAccount.get(row.direction);
    const child = byAccount?.get(row.account_sid);
    if (child !== undefined) {
      child.inc();
      return;
    }
    return this.acceptedFirst(row.account_sid, row.direction);
  }

  private async acceptedFirst(accountSid: string, direction: MessageDirection): Promise<void> {
    let tier: TierLabel;
    try {
      tier = await this.tierOf(accountSid);
    } catch {
      tier = 'none'; // a metrics lookup never fails the message
    }
    const child = this.families.accepted.child({ direction, tier });
    this.acceptedByAccount.get(direction)?.set(accountSid, child);
    child.inc();
  }

  /** The message entered `status`; a terminal outcome also records its age (`createdAt`, epoch ms). */
  status(status: MessageStatus, createdAt?: number, now?: number): void {
    this.statusChildren.get(status)?.inc();
    if (createdAt === undefined || now === undefined) return;
    this.endToEnd.get(status)?.observe((now - createdAt) / 1000);
  }

  /** A message handed to a carrier by `from`. */
  sent(from: string): void {
    this.senderSeries.get(senderKind(from))?.sent.inc();
  }

  /** A send that waited `seconds` for its sender's rate. */
  throttled(from: string, seconds: number): void {
    const series = this.senderSeries.get(senderKind(from));
    if (series === undefined) return;
    series.throttled.inc();
    series.throttleWait.observe(seconds);
  }

  /** Reads `count` (messages waiting per sender kind) into the queued gauge at every scrape. */
  queuedFrom(count: () => ReadonlyMap<SenderKind, number>): void {
    const children = new Map(
      SENDER_KINDS.map((kind) => [kind, this.senders.queued.child({ sender_kind: kind })]),
    );
    this.senders.queued.onCollect(() => {
      const counts = count();
      for (const [kind, child] of children) child.set(counts.get(kind) ?? 0);
    });
  }

  /** A delivery receipt arrived from `carrier`. */
  receipt(carrier: string, status: ReceiptStatus): void {
    let byStatus = this.receiptChildren.get(carrier);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.receiptChildren.set(carrier, byStatus);
    }
    let child = byStatus.get(status);
    if (child === undefined) {
      child = this.carriers.receipts.child({ carrier, status: RECEIPT_LABEL[status] });
      byStatus.set(status, child);
    }
    child.inc();
  }
}

const recorders = new WeakMap<Registry, MessagingRecorder>();

/**
 * The recorder of the context's registry (one per registry, shared by every part of the
 * module), or undefined when the context has no registry: then nothing is recorded.
 */
export function messagingRecorder(ctx: CellContext): MessagingRecorder | undefined {
  const registry = ctx.metrics;
  if (registry === undefined) return undefined;
  let recorder = recorders.get(registry);
  if (recorder === undefined) {
    recorder = new MessagingRecorder(registry, async (accountSid) => {
      const account = await ctx.identity.getAccount(accountSid);
      if (account === undefined) return 'none';
      return account.type === 'Trial' ? 'trial' : 'full';
    });
    recorders.set(registry, recorder);
  }
  return recorder;
}
