/**
 * The Queue on Kafka (kafkajs): topics are namespaced by a prefix and created on first use,
 * publishes are coalesced into single sends of an idempotent producer, and every
 * (topic, group) subscription is its own consumer that commits only after its handler.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, Partitioners } from 'kafkajs';
import type { Admin, ISocketFactory, Producer } from 'kafkajs';
import { BackendError } from '../errors.js';
import type { Queue, QueueMessage, SubscribeOptions, Subscription } from '../types.js';
import { kafkaErrorType, toBackendError } from './kafka-errors.js';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log.js';
import type { KafkaLogLevel } from './kafka-log.js';
import { KafkaSubscription } from './kafka-subscription.js';
import type { HandlerErrorListener } from './kafka-subscription.js';
import { PublishCoalescer } from './publish-coalescer.js';
import type { PublishStats, TopicMessages } from './publish-coalescer.js';
import { TopicRegistry } from './topic-registry.js';

export interface KafkaQueueOptions {
  /** Bootstrap brokers, e.g. ['127.0.0.1:19092']. */
  brokers: readonly string[];
  /** Names this client in broker logs and metrics. Default 'twilio-lab'. */
  clientId?: string;
  /**
   * Prepended to every topic and consumer group, so cells and test runs sharing a broker stay
   * apart: with 'us1.cell-1.', topic 'messages.outbound' is 'us1.cell-1.messages.outbound'.
   * Default ''.
   */
  topicPrefix?: string;
  /** Partitions of the topics this queue creates. Default 8. */
  partitions?: number;
  /** Wait before a failed batch is handed over again, in ms. Default 100. */
  retryDelayMs?: number;
  /** kafkajs log output on stderr. Default 'warn'. */
  logLevel?: KafkaLogLevel;
  /** How long a fetch waits on the broker for data: the idle consumer's added latency. Default 20. */
  maxWaitTimeMs?: number;
  /**
   * Connection retries before a call is rejected with "Kafka broker unreachable". Default 5
   * (about 3 s with the backoff below): long enough for a blip, short enough to surface an outage.
   */
  retries?: number;
  /**
   * How long the group waits for a silent member before handing its partitions to others: a
   * killed process, or this queue's own consumer after a broker outage (kafkajs rejoins as a
   * new member, and the group waits for the old one to expire). A single handler call longer
   * than this loses the partition. Default 10000; the broker's minimum is 6000 by default.
   */
  sessionTimeoutMs?: number;
  /** Told about every handler failure (the batch is retried whatever this does). */
  onHandlerError?: HandlerErrorListener;
  /**
   * Opens the TCP connections to brokers (kafkajs' socketFactory). Chaos tests route them
   * through a fault-injecting proxy this way: Kafka hands clients the brokers' advertised
   * addresses, so a proxy in `brokers` alone would be bypassed after the first request.
   */
  socketFactory?: ISocketFactory;
}

export interface KafkaQueue extends Queue {
  readonly kind: 'kafka';
  /** The topic name on the broker for an interface topic name. */
  kafkaTopic(topic: string): string;
  /** Publish coalescing counters: publishes / sends is the batching factor. */
  stats(): PublishStats;
}

/** Kafka topic names: legal characters, and at most 249 of them. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
/** Per send, well under the broker's default 1 MiB record batch limit per partition. */
const SEND_LIMITS = { maxMessages: 10_000, maxChars: 512 * 1024 };
/** Answers meaning "the partition's leader is being (re)elected": asked again shortly. */
const LEADERSHIP_MOVING: ReadonlySet<string> = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);
const LAG_ATTEMPTS = 6;
const LAG_RETRY_MS = 100;

/** Connects to the brokers (failing fast and clearly if none answers) and returns the queue. */
export async function openKafkaQueue(options: KafkaQueueOptions): Promise<KafkaQueue> {
  const queue = new KafkaJsQueue(options);
  await queue.connect();
  return queue;
}

class KafkaJsQueue implements KafkaQueue {
  readonly kind = 'kafka' as const;
  readonly #brokers: readonly string[];
  readonly #prefix: string;
  readonly #retryDelayMs: number;
  readonly #maxWaitTimeMs: number;
  readonly #sessionTimeoutMs: number;
  readonly #onHandlerError: HandlerErrorListener | undefined;
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #topics: TopicRegistry;
  readonly #publishes: PublishCoalescer;
  /** The producer in use; replaced after a failed send (see #send). */
  #producer: Promise<Producer> | null = null;
  /** Live subscriptions by topic and group (one per group and queue); null while joining. */
  readonly #subscriptions = new Map<string, KafkaSubscription | null>();
  #closed: Promise<void> | null = null;

  constructor(options: KafkaQueueOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
      throw new BackendError('INVALID_ARGUMENT', 'brokers must list at least one host:port');
    }
    this.#brokers = [...options.brokers];
    this.#prefix = options.topicPrefix ?? '';
    if (this.#prefix !== '' && !TOPIC_NAME.test(this.#prefix)) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `topicPrefix may only hold A-Z a-z 0-9 . _ -, got '${this.#prefix}'`,
      );
    }
    const partitions = positiveInteger(options.partitions ?? 8, 'partitions');
    this.#retryDelayMs = nonNegative(options.retryDelayMs ?? 100, 'retryDelayMs');
    this.#maxWaitTimeMs = nonNegative(options.maxWaitTimeMs ?? 20, 'maxWaitTimeMs');
    const retries = nonNegative(options.retries ?? 5, 'retries');
    this.#sessionTimeoutMs = positiveInteger(options.sessionTimeoutMs ?? 10_000, 'sessionTimeoutMs');
    this.#onHandlerError = options.onHandlerError;
    const clientId = options.clientId ?? 'twilio-lab';
    this.#kafka = new Kafka({
      brokers: [...this.#brokers],
      clientId,
      connectionTimeout: 1_000,
      retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: kafkaLogLevel(options.logLevel ?? 'warn'),
      logCreator: kafkaLogCreator(clientId),
      ...(options.socketFactory === undefined ? {} : { socketFactory: options.socketFactory }),
    });
    this.#admin = this.#kafka.admin();
    this.#topics = new TopicRegistry(this.#admin, partitions);
    this.#publishes = new PublishCoalescer((batches) => this.#send(batches), SEND_LIMITS);
  }

  async connect(): Promise<void> {
    try {
      await this.#admin.connect();
      await this.#connectedProducer();
    } catch (error) {
      await this.#admin.disconnect().catch(() => {});
      throw toBackendError(error, 'connecting', this.#brokers);
    }
  }

  kafkaTopic(topic: string): string {
    const name = this.#prefix + topic;
    if (!TOPIC_NAME.test(name)) {
      throw new BackendError(
        'INVALID_ARGUMENT',
        `topic '${name}' is not a legal Kafka topic name (A-Z a-z 0-9 . _ -, at most 249)`,
      );
    }
    return name;
  }

  async publish(topic: string, messages: readonly QueueMessage[]): Promise<void> {
    if (this.#closed !== null) throw closedError();
    const kafkaTopic = this.kafkaTopic(topic);
    if (messages.length === 0) return;
    await this.#ensureTopic(kafkaTopic);
    if (this.#closed !== null) throw closedError();
    await this.#publishes.publish(kafkaTopic, messages);
  }

  async subscribe(
    topic: string,
    group: string,
    handler: (batch: readonly QueueMessage[]) => Promise<void>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.#closed !== null) throw closedError();
    const kafkaTopic = this.kafkaTopic(topic);
    const concurrency = positiveInteger(options.concurrency ?? 8, 'concurrency');
    const maxBatch = positiveInteger(options.maxBatch ?? 64, 'maxBatch');
    if (group === '') throw new BackendError('INVALID_ARGUMENT', 'group must not be empty');
    const slot = `${topic}\u0000${group}`;
    if (this.#subscriptions.has(slot)) {
      throw new BackendError(
        'QUEUE_GROUP_ACTIVE',
        `group '${group}' already has a live subscription on topic '${topic}'; close it first`,
      );
    }
    // Reserved before the first await, so two concurrent subscribes cannot both pass the check.
    this.#subscriptions.set(slot, null);
    try {
      await this.#ensureTopic(kafkaTopic);
      const subscription = await KafkaSubscription.start({
        kafka: this.#kafka,
        brokers: this.#brokers,
        topic,
        kafkaTopic,
        group,
        groupId: this.#groupId(kafkaTopic, group),
        handler,
        concurrency,
        maxBatch,
        retryDelayMs: this.#retryDelayMs,
        rebuildDelayMs: Math.max(this.#retryDelayMs, 1_000),
        consumer: {
          maxWaitTimeInMs: this.#maxWaitTimeMs,
          minBytes: 1,
          allowAutoTopicCreation: false,
          sessionTimeout: this.#sessionTimeoutMs,
          // Several heartbeats per session, as Kafka advises, so one late beat is not fatal.
          heartbeatInterval: Math.min(3_000, Math.floor(this.#sessionTimeoutMs / 5)),
        },
        onHandlerError: this.#onHandlerError,
        onClosed: () => {
          if (this.#subscriptions.get(slot) === subscription) this.#subscriptions.delete(slot);
        },
      });
      this.#subscriptions.set(slot, subscription);
      if (this.#closed !== null) {
        // close() ran while this consumer was joining; it did not see it.
        await subscription.close();
        throw closedError();
      }
      return subscription;
    } catch (error) {
      if (this.#subscriptions.get(slot) === null) this.#subscriptions.delete(slot);
      throw error;
    }
  }

  async lag(topic: string, group: string): Promise<number> {
    if (this.#closed !== null) throw closedError();
    // Metadata can lag a fresh topic's leader election by a moment ("not the leader for that
    // topic-partition"): a retriable answer is asked again a few times before it is an error.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#lagOnce(topic, group);
      } catch (error) {
        const type = kafkaErrorType(error);
        const retriable = type !== undefined && LEADERSHIP_MOVING.has(type);
        if (!retriable || attempt >= LAG_ATTEMPTS || this.#closed !== null) throw error;
        await delay(LAG_RETRY_MS * attempt);
      }
    }
  }

  async #lagOnce(topic: string, group: string): Promise<number> {
    const kafkaTopic = this.kafkaTopic(topic);
    try {
      if (!(await this.#topics.exists(kafkaTopic))) return 0;
      const ends = await this.#admin.fetchTopicOffsets(kafkaTopic);
      const [committed] = await this.#admin.fetchOffsets({
        groupId: this.#groupId(kafkaTopic, group),
        topics: [kafkaTopic],
      });
      const committedByPartition = new Map<number, bigint>();
      for (const { partition, offset } of committed?.partitions ?? []) {
        committedByPartition.set(partition, BigInt(offset));
      }
      let lag = 0n;
      for (const { partition, high, low } of ends) {
        const at = committedByPartition.get(partition) ?? -1n;
        // No commit yet: the group will start from the earliest retained message.
        const from = at < 0n ? BigInt(low) : at;
        if (BigInt(high) > from) lag += BigInt(high) - from;
      }
      return Number(lag);
    } catch (error) {
      if (kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION') return 0;
      throw toBackendError(error, `reading the lag of group '${group}' on '${topic}'`, this.#brokers);
    }
  }

  stats(): PublishStats {
    return this.#publishes.stats();
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // Subscriptions first: each waits for its handler in hand and commits what it finished.
    const live = Array.from(this.#subscriptions.values()).filter((s) => s !== null);
    await Promise.allSettled(live.map((subscription) => subscription.close()));
    // Publishes accepted before close still go out.
    await this.#publishes.idle();
    const producer = this.#producer;
    this.#producer = null;
    await Promise.allSettled([producer?.then((p) => p.disconnect()), this.#admin.disconnect()]);
  }

  #groupId(kafkaTopic: string, group: string): string {
    // A group is per topic in the Queue contract; one Kafka group per (topic, group) keeps a
    // rebalance on one topic from pausing another topic's consumers of the same group name.
    return `${kafkaTopic}/${group}`;
  }

  async #ensureTopic(kafkaTopic: string): Promise<void> {
    try {
      await this.#topics.ensure(kafkaTopic);
    } catch (error) {
      throw toBackendError(error, `creating topic '${kafkaTopic}'`, this.#brokers);
    }
  }

  #connectedProducer(): Promise<Producer> {
    if (this.#producer === null) {
      const producer = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const connected = producer.connect().then(() => producer);
      this.#producer = connected;
      connected.catch(() => {
        if (this.#producer === connected) this.#producer = null;
      });
    }
    return this.#producer;
  }

  async #send(batches: TopicMessages[]): Promise<void> {
    let connected: Promise<Producer> | null = null;
    try {
      connected = this.#connectedProducer();
      const producer = await connected;
      await producer.sendBatch({ topicMessages: batches, acks: -1 });
    } catch (error) {
      // A send that failed may still have landed; a fresh producer gets a new producer id, so
      // the broker cannot mistake the next send for a duplicate of this one and drop it.
      if (connected !== null && this.#producer === connected) {
        this.#producer = null;
        void connected.then((p) => p.disconnect()).catch(() => {});
      }
      throw toBackendError(
        error,
        `publishing to ${batches.map((b) => `'${b.topic}'`).join(', ')}`,
        this.#brokers,
      );
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new BackendError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new BackendError('INVALID_ARGUMENT', `${name} must be a number >= 0, got ${value}`);
  }
  return value;
}

function closedError(): BackendError {
  return new BackendError('QUEUE_CLOSED', 'the queue is closed');
}
