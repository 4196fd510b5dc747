import type { CellContext, ProductModule } from '@twilio-lab/cell';
import type { Subscription } from '@twilio-lab/backends';
import { directoryFor } from './directory/directory.js';
import { InboundMessages } from './inbound/inbound.js';
import { OutboundMessages } from './messages/outbound.js';
import { messageRoutes } from './messages/routes.js';
import { messagingMigrations } from './messages/schema.js';
import type { MessageRow } from './messages/schema.js';
import { OUTBOUND_TOPIC, SENDER_GROUP } from './pipeline/outbox.js';
import { OutboundPublisher } from './pipeline/outbound-publisher.js';
import { DEFAULT_IN_FLIGHT_CAPACITY, InFlightMessages } from './pipeline/in-flight.js';
import {
  DEFAULT_MAX_QUEUED_PER_SENDER,
  QueuedPerSender,
  queueLimitFor,
  senderKeyOf,
} from './pipeline/queued-per-sender.js';
import { ReceiptApplier } from './pipeline/receipts.js';
import { Scheduler } from './pipeline/scheduler.js';
import { SenderWorker } from './pipeline/sender.js';
import { serviceRoutes } from './services/routes.js';
import { KeyedLanes } from './util/lanes.js';
import { messagingRecorder } from './metrics.js';

export interface MessagingOptions {
  /** Sender throughput: 'lab' = unlimited, 'realistic' = Twilio's MPS per sender type. Default: the cell's profile. */
  profile?: 'lab' | 'realistic';
  /** Partitions (accounts) the sender works on at once. Default 8. */
  senderConcurrency?: number;
  /** Largest batch of messages the sender takes at once. Default 512. */
  senderBatch?: number;
  /** Longest the scheduler sleeps before re-checking SendAt against the clock. Default 60 s. */
  schedulerMaxSleepMs?: number;
  /**
   * Most in-flight messages whose rows are held in memory (past it, the oldest are read from the
   * store again). Default 200,000; 0 holds none.
   */
  inFlightCapacity?: number;
  /**
   * Profile 'lab': most messages one sender (From, or Messaging Service before a From is chosen)
   * may have waiting; creates beyond it answer 21611. Default 100,000. 'realistic' uses 4 hours
   * of the sender's MPS instead.
   */
  maxQueuedPerSender?: number;
}

/** messagingModule(): a product module that also reports its in-memory state. */
export interface MessagingModule extends ProductModule {
  /** Messages whose rows are held in memory (in flight); 0 before the module is built. */
  inFlightMessages(): number;
  /** Messages waiting in the outbound pipeline (counted against their sender's queue limit). */
  queuedMessages(): number;
}

const RECOVERY_CHUNK = 1000;
/**
 * One partition (one account) is handled serially, chunk after chunk, and each chunk costs a
 * few round trips (store write, offset commit) whatever its size: large chunks are what let a
 * single busy account go past a few thousand messages a second on the real engines.
 */
const DEFAULT_SENDER_BATCH = 512;

/** Everything one messaging module instance runs, built once per cell context. */
class MessagingRuntime {
  readonly lanes = new KeyedLanes();
  readonly inFlight: InFlightMessages;
  readonly queued: QueuedPerSender;
  readonly outbound: OutboundMessages;
  readonly inbound: InboundMessages;
  private readonly sender: SenderWorker;
  private readonly scheduler: Scheduler;
  private readonly receipts: ReceiptApplier;
  private readonly publisher: OutboundPublisher;
  private subscription: Subscription | null = null;
  private stopped = false;

  constructor(
    readonly ctx: CellContext,
    private readonly options: MessagingOptions,
  ) {
    const metrics = messagingRecorder(ctx);
    this.publisher = new OutboundPublisher(ctx.queue, ctx.log, metrics?.outboundPublished);
    const publish = (rows: readonly Pick<MessageRow, 'sid' | 'account_sid'>[]): Promise<void> =>
      this.publisher.publish(rows);
    this.inFlight = new InFlightMessages(options.inFlightCapacity ?? DEFAULT_IN_FLIGHT_CAPACITY);
    const profile = options.profile ?? ctx.config.profile;
    this.queued = new QueuedPerSender(
      queueLimitFor(profile, options.maxQueuedPerSender ?? DEFAULT_MAX_QUEUED_PER_SENDER),
    );
    this.scheduler = new Scheduler(ctx, this.lanes, publish, options.schedulerMaxSleepMs ?? 60_000);
    this.outbound = new OutboundMessages(
      ctx,
      this.lanes,
      { publish, schedule: (at) => this.scheduler.arm(at) },
      this.inFlight,
      this.queued,
    );
    this.inbound = new InboundMessages(ctx, this.outbound);
    this.sender = new SenderWorker(ctx, this.lanes, this.inFlight, profile, publish, this.queued);
    this.receipts = new ReceiptApplier(ctx, this.lanes, this.inFlight);
    metrics?.queuedFrom(() => this.queued.bySenderKind());
  }

  async start(): Promise<void> {
    const { ctx } = this;
    // Shared with numbersModule (whichever starts first loads the numbers).
    const directory = directoryFor(ctx.store);
    await Promise.all([directory.loadNumbers(ctx.store), directory.loadOptOuts(ctx.store)]);
    this.subscription = await ctx.queue.subscribe(
      OUTBOUND_TOPIC,
      SENDER_GROUP,
      (batch) => this.sender.handleBatch(batch),
      {
        concurrency: this.options.senderConcurrency ?? 8,
        maxBatch: this.options.senderBatch ?? DEFAULT_SENDER_BATCH,
      },
    );
    // The carrier's ack waits for the returned promise: a receipt is acknowledged only once
    // its status change is durable. After stop() receipts are refused, so the carrier resends.
    ctx.superNetwork.onReceipt((receipt) =>
      this.stopped ? Promise.reject(new Error('messaging is stopping')) : this.receipts.add(receipt),
    );
    ctx.superNetwork.onInbound((sms) => this.inbound.receive(sms));
    await this.recover();
  }

  /**
   * The embedded queue does not survive a restart; the store does. Every message still on its
   * way goes back on the topic. A 'sending' message may already have reached the carrier before
   * the crash: it is submitted again (at-least-once, like Twilio's own retries).
   */
  private async recover(): Promise<void> {
    const rows = await this.ctx.store.all<
      Pick<MessageRow, 'sid' | 'account_sid' | 'from_number' | 'messaging_service_sid'>
    >(
      "SELECT sid, account_sid, from_number, messaging_service_sid FROM messages WHERE status IN ('accepted', 'queued', 'sending') ORDER BY date_created, sid",
    );
    // Counted, not admitted: these were accepted before the restart, whatever the limit now.
    for (const row of rows) {
      const key = senderKeyOf(row);
      if (key !== null) this.queued.add(row.sid, key);
    }
    for (let i = 0; i < rows.length; i += RECOVERY_CHUNK) {
      await this.publisher.publish(rows.slice(i, i + RECOVERY_CHUNK));
    }
    if (rows.length > 0)
      this.ctx.log.info({ messages: rows.length }, 'messaging: re-queued in-flight messages');
    await this.scheduler.rearm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.publisher.stop();
    await this.scheduler.stop();
    this.sender.stop();
    await this.subscription?.close();
    await this.receipts.drain();
    await this.inbound.stop();
  }
}

/**
 * Programmable Messaging: the 2010 Messages and Media resources, Messaging Services (v1), the
 * sending pipeline and inbound messages. Needs numbersModule() in the same cell (it reads
 * incoming_phone_numbers).
 */
export function messagingModule(options: MessagingOptions = {}): MessagingModule {
  let runtime: MessagingRuntime | undefined;
  const runtimeFor = (ctx: CellContext): MessagingRuntime => (runtime ??= new MessagingRuntime(ctx, options));
  return {
    name: 'messaging',
    migrations: messagingMigrations,
    routes: (ctx) => [...messageRoutes(ctx, runtimeFor(ctx).outbound), ...serviceRoutes(ctx)],
    start: (ctx) => runtimeFor(ctx).start(),
    stop: async () => {
      await runtime?.stop();
    },
    inFlightMessages: () => runtime?.inFlight.size ?? 0,
    queuedMessages: () => runtime?.queued.size ?? 0,
  };
}
