/**
 * One consumer group member for one (topic, group): hands the handler chunks of at most
 * `maxBatch` messages in partition order, commits a chunk's offsets only after the handler
 * resolved, and retries a failing chunk (heartbeating meanwhile) until it succeeds or the
 * subscription closes; a chunk is never skipped.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { QueueMessage, Subscription } from '../types.js';
import { CommitCoalescer } from './commit-coalescer.js';
import { isBrokerUnreachable, toBackendError } from './kafka-errors.js';

/** How long a subscribe waits for a broker that answers but is not ready (coordinator loading). */
const STARTUP_PATIENCE_MS = 60_000;
const STARTUP_RETRY_MS = 500;

/** A retriable protocol error from a live broker (e.g. COORDINATOR_LOAD_IN_PROGRESS). */
function isNotReadyYet(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return (cause as { retriable?: unknown }).retriable === true && !isBrokerUnreachable(cause);
}

export type BatchHandler = (batch: readonly QueueMessage[]) => Promise<void>;
export type HandlerErrorListener = (
  error: unknown,
  where: { topic: string; group: string; partition: number },
) => void;

export interface KafkaSubscriptionConfig {
  kafka: Kafka;
  brokers: readonly string[];
  /** The topic as the caller named it (for reports) and as it is on the broker. */
  topic: string;
  kafkaTopic: string;
  group: string;
  groupId: string;
  handler: BatchHandler;
  concurrency: number;
  maxBatch: number;
  retryDelayMs: number;
  /** Wait before a consumer that crashed beyond kafkajs' own restart is rebuilt. */
  rebuildDelayMs: number;
  consumer: Omit<ConsumerConfig, 'groupId'>;
  onHandlerError: HandlerErrorListener | undefined;
  /** Called once, when close() has finished. */
  onClosed: () => void;
}

export class KafkaSubscription implements Subscription {
  readonly #config: KafkaSubscriptionConfig;
  #consumer: Consumer | null = null;
  #commits = new CommitCoalescer();
  #rebuildTimer: NodeJS.Timeout | null = null;
  #closing: Promise<void> | null = null;

  private constructor(config: KafkaSubscriptionConfig) {
    this.#config = config;
  }

  /**
   * Resolves once the consumer has joined its group, so it is live when the caller goes on.
   * A broker that answers but is not ready yet (a fresh or restarted broker's group
   * coordinator is still loading) is waited for; an unreachable one fails at once.
   */
  static async start(config: KafkaSubscriptionConfig): Promise<KafkaSubscription> {
    const subscription = new KafkaSubscription(config);
    const deadline = Date.now() + STARTUP_PATIENCE_MS;
    for (;;) {
      try {
        await subscription.#startConsumer();
        return subscription;
      } catch (error) {
        if (!isNotReadyYet(error) || Date.now() > deadline) throw error;
        await delay(STARTUP_RETRY_MS);
      }
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#rebuildTimer !== null) clearTimeout(this.#rebuildTimer);
    const consumer = this.#consumer;
    this.#consumer = null;
    try {
      // Stops fetching, waits for the batch in hand (its handler and commit), leaves the group.
      if (consumer !== null) await consumer.disconnect();
    } finally {
      this.#config.onClosed();
    }
  }

  async #startConsumer(): Promise<void> {
    const { kafka, kafkaTopic, groupId, concurrency } = this.#config;
    const consumer = kafka.consumer({ ...this.#config.consumer, groupId });
    let startupCrash: unknown;
    let started = false;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!started) startupCrash = payload.error;
      else if (!payload.restart) this.#scheduleRebuild(consumer);
    });
    this.#consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [kafkaTopic], fromBeginning: true });
      // Resolves after the group join; a failed join is reported as a crash instead.
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: (payload) => this.#eachBatch(payload),
      });
      if (startupCrash !== undefined) throw startupCrash;
      started = true;
    } catch (error) {
      this.#consumer = null;
      await consumer.disconnect().catch(() => {});
      throw toBackendError(
        error,
        `subscribing group '${this.#config.group}' to '${this.#config.topic}'`,
        this.#config.brokers,
      );
    }
  }

  /**
   * kafkajs restarts a consumer after retriable failures by itself; after any other crash it
   * gives up, so the subscription builds a fresh consumer (and keeps trying) unless closing.
   */
  #scheduleRebuild(crashed: Consumer): void {
    if (this.#closing !== null || this.#consumer !== crashed) return;
    this.#rebuildTimer = setTimeout(() => {
      this.#rebuildTimer = null;
      if (this.#closing !== null) return;
      void crashed
        .disconnect()
        .catch(() => {})
        .then(() => (this.#closing === null ? this.#startConsumer() : undefined))
        .catch((error: unknown) => {
          console.error(`[kafka] ${String(error instanceof Error ? error.message : error)}; retrying`);
          this.#consumer = crashed;
          this.#scheduleRebuild(crashed);
        });
    }, this.#config.rebuildDelayMs);
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, resolveOffset, heartbeat } = payload;
    const { maxBatch } = this.#config;
    const all = batch.messages;
    // A chunk's offset commit runs while the next chunk is handled (the handler, not the
    // commit round trip, paces a busy partition). It commits only offsets resolved by then,
    // i.e. chunks whose handler resolved; it is awaited before the next commit is asked for
    // and before this batch returns, so a failed commit still fails the batch.
    let committing: Promise<void> | null = null;
    try {
      for (let start = 0; start < all.length; start += maxBatch) {
        // Once closing (or after a seek) nothing new is handed over; what is not resolved is
        // fetched again by whoever owns the partition next.
        if (!isRunning() || isStale()) return;
        const slice = all.slice(start, start + maxBatch);
        const chunk = slice.map(toQueueMessage);
        while (!(await this.#handle(chunk, batch.partition))) {
          await delay(this.#config.retryDelayMs);
          if (!isRunning() || isStale()) return;
          await heartbeat();
        }
        resolveOffset(slice[slice.length - 1]!.offset);
        if (committing !== null) await committing;
        committing = this.#commits.commit(() =>
          payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()),
        );
        // Awaited below or at the next chunk; until then a rejection is not "unhandled".
        committing.catch(() => undefined);
        await heartbeat();
      }
    } finally {
      if (committing !== null) await committing;
    }
  }

  async #handle(chunk: readonly QueueMessage[], partition: number): Promise<boolean> {
    try {
      await this.#config.handler(chunk);
      return true;
    } catch (error) {
      const { onHandlerError, topic, group } = this.#config;
      if (onHandlerError !== undefined) {
        try {
          onHandlerError(error, { topic, group, partition });
        } catch {
          // A throwing listener must not turn a retry into a skip.
        }
      }
      return false;
    }
  }
}

function toQueueMessage(message: KafkaMessage): QueueMessage {
  return { key: message.key?.toString('utf8') ?? '', value: message.value?.toString('utf8') ?? '' };
}
