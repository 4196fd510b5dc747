/**
 * The embedded Queue: an in-process, at-least-once log with Kafka's shape (topics split in
 * partitions by key hash, one committed offset per consumer group and partition), so code
 * written against it behaves the same on Kafka. Not durable by itself: the cell rebuilds
 * what it needs from the store after a restart.
 */
import { BackendError } from './errors.js';
import { PartitionLog, partitionOf } from './partition-log.js';
import type { Queue, QueueMessage, SubscribeOptions, Subscription } from './types.js';

export interface MemoryQueueOptions {
  /** Partitions per topic. Default 16. */
  partitions?: number;
  /** Wait before a failed batch is handed over again, in ms. Default 100. */
  retryDelayMs?: number;
  /** Told about every handler failure (the batch is retried whatever this does). */
  onHandlerError?: (error: unknown, where: { topic: string; group: string; partition: number }) => void;
}

export interface MemoryQueue extends Queue {
  readonly kind: 'memory';
  /** Messages still held for the topic (not yet committed by every group). */
  retained(topic: string): number;
}

interface Topic {
  readonly name: string;
  readonly logs: PartitionLog[];
  readonly groups: Map<string, Group>;
}

interface Group {
  readonly name: string;
  /** Next offset to hand over, per partition: everything below is committed. */
  readonly offsets: number[];
  consumer: Consumer | null;
}

export function createMemoryQueue(options: MemoryQueueOptions = {}): MemoryQueue {
  return new InMemoryQueue(options);
}

class InMemoryQueue implements MemoryQueue {
  readonly kind = 'memory' as const;
  readonly #partitions: number;
  readonly #retryDelayMs: number;
  readonly #onHandlerError: MemoryQueueOptions['onHandlerError'];
  readonly #topics = new Map<string, Topic>();
  #closed: Promise<void> | null = null;

  constructor(options: MemoryQueueOptions) {
    this.#partitions = positiveInteger(options.partitions ?? 16, 'partitions');
    this.#retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);
    this.#onHandlerError = options.onHandlerError;
  }

  publish(topicName: string, messages: readonly QueueMessage[]): Promise<void> {
    if (this.#closed !== null) return Promise.reject(closedError());
    if (messages.length === 0) return Promise.resolve();
    const topic = this.#topic(topicName);
    const touched = new Uint8Array(this.#partitions);
    for (const message of messages) {
      const partition = partitionOf(message.key, this.#partitions);
      topic.logs[partition]!.append(message);
      touched[partition] = 1;
    }
    for (const group of topic.groups.values()) {
      const consumer = group.consumer;
      if (consumer === null) continue;
      for (let p = 0; p < touched.length; p++) if (touched[p] === 1) consumer.wake(p);
    }
    return Promise.resolve();
  }

  subscribe(
    topicName: string,
    groupName: string,
    handler: (batch: readonly QueueMessage[]) => Promise<void>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    if (this.#closed !== null) return Promise.reject(closedError());
    let concurrency: number;
    let maxBatch: number;
    try {
      concurrency = positiveInteger(options.concurrency ?? 8, 'concurrency');
      maxBatch = positiveInteger(options.maxBatch ?? 64, 'maxBatch');
    } catch (error) {
      return Promise.reject(error);
    }
    const topic = this.#topic(topicName);
    let group = topic.groups.get(groupName);
    if (group === undefined) {
      // A new group starts at the oldest message still retained.
      group = { name: groupName, offsets: topic.logs.map((log) => log.start), consumer: null };
      topic.groups.set(groupName, group);
    } else if (group.consumer !== null) {
      return Promise.reject(
        new BackendError(
          'QUEUE_GROUP_ACTIVE',
          `group '${groupName}' already has a live subscription on topic '${topicName}'; close it first`,
        ),
      );
    }
    const consumer = new Consumer(topic, group, handler, {
      concurrency,
      maxBatch,
      retryDelayMs: this.#retryDelayMs,
      onHandlerError: this.#onHandlerError,
    });
    group.consumer = consumer;
    for (let p = 0; p < this.#partitions; p++) consumer.wake(p);
    return Promise.resolve(consumer);
  }

  lag(topicName: string, groupName: string): Promise<number> {
    const topic = this.#topics.get(topicName);
    if (topic === undefined) return Promise.resolve(0);
    const group = topic.groups.get(groupName);
    let lag = 0;
    for (let p = 0; p < topic.logs.length; p++) {
      const log = topic.logs[p]!;
      // A group that never subscribed would start at the oldest retained message.
      lag += log.end - (group === undefined ? log.start : group.offsets[p]!);
    }
    return Promise.resolve(lag);
  }

  retained(topicName: string): number {
    const topic = this.#topics.get(topicName);
    if (topic === undefined) return 0;
    let count = 0;
    for (const log of topic.logs) count += log.end - log.start;
    return count;
  }

  close(): Promise<void> {
    if (this.#closed === null) {
      const consumers: Consumer[] = [];
      for (const topic of this.#topics.values()) {
        for (const group of topic.groups.values())
          if (group.consumer !== null) consumers.push(group.consumer);
      }
      this.#closed = Promise.all(consumers.map((c) => c.close())).then(() => undefined);
    }
    return this.#closed;
  }

  #topic(name: string): Topic {
    let topic = this.#topics.get(name);
    if (topic === undefined) {
      const logs: PartitionLog[] = [];
      for (let p = 0; p < this.#partitions; p++) logs.push(new PartitionLog());
      topic = { name, logs, groups: new Map() };
      this.#topics.set(name, topic);
    }
    return topic;
  }
}

interface ConsumerSettings {
  concurrency: number;
  maxBatch: number;
  retryDelayMs: number;
  onHandlerError: MemoryQueueOptions['onHandlerError'];
}

/**
 * One group's live subscription. A partition is either idle, queued in `#ready`, running a
 * batch, or waiting out a retry delay; only idle partitions with unread messages get queued,
 * which keeps each partition strictly serial.
 */
class Consumer implements Subscription {
  readonly #topic: Topic;
  readonly #group: Group;
  readonly #handler: (batch: readonly QueueMessage[]) => Promise<void>;
  readonly #settings: ConsumerSettings;
  readonly #ready: number[] = [];
  /** 1 while a partition is queued, running, or waiting to retry. */
  readonly #busy: Uint8Array;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #running = 0;
  #pumpScheduled = false;
  #closed: Promise<void> | null = null;

  constructor(
    topic: Topic,
    group: Group,
    handler: (batch: readonly QueueMessage[]) => Promise<void>,
    settings: ConsumerSettings,
  ) {
    this.#topic = topic;
    this.#group = group;
    this.#handler = handler;
    this.#settings = settings;
    this.#busy = new Uint8Array(topic.logs.length);
  }

  /** New messages (or a finished batch) on a partition: queue it if it has work and is idle. */
  wake(partition: number): void {
    if (this.#closed !== null || this.#busy[partition] === 1) return;
    if (this.#group.offsets[partition]! >= this.#topic.logs[partition]!.end) return;
    this.#busy[partition] = 1;
    this.#ready.push(partition);
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true;
      // A microtask, not a timer: delivery starts as soon as the publisher yields.
      queueMicrotask(this.#pump);
    }
  }

  close(): Promise<void> {
    if (this.#closed === null) {
      for (const timer of this.#retryTimers) clearTimeout(timer);
      this.#retryTimers.clear();
      this.#ready.length = 0;
      this.#closed = this.#drain().then(() => {
        this.#group.consumer = null;
      });
    }
    return this.#closed;
  }

  async #drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    while (this.#closed === null && this.#running < this.#settings.concurrency && this.#ready.length > 0) {
      const partition = this.#ready.shift()!;
      const batch = this.#topic.logs[partition]!.read(
        this.#group.offsets[partition]!,
        this.#settings.maxBatch,
      );
      this.#running += 1;
      const run = this.#run(partition, batch);
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }
  };

  async #run(partition: number, batch: QueueMessage[]): Promise<void> {
    let ok = true;
    try {
      await this.#handler(batch);
    } catch (error) {
      ok = false;
      this.#report(error, partition);
    }
    this.#running -= 1;
    if (ok) {
      // The handler resolving is the commit.
      this.#group.offsets[partition]! += batch.length;
      this.#trim(partition);
      this.#busy[partition] = 0;
      this.wake(partition);
    } else if (this.#closed === null) {
      // Same offset again after the delay: a failed batch is never skipped.
      const timer = setTimeout(() => {
        this.#retryTimers.delete(timer);
        this.#busy[partition] = 0;
        this.wake(partition);
      }, this.#settings.retryDelayMs);
      this.#retryTimers.add(timer);
    } else {
      this.#busy[partition] = 0;
    }
    // A slot freed up: let the next queued partition run.
    if (!this.#pumpScheduled && this.#ready.length > 0) {
      this.#pumpScheduled = true;
      queueMicrotask(this.#pump);
    }
  }

  #trim(partition: number): void {
    let lowest = Infinity;
    for (const group of this.#topic.groups.values()) lowest = Math.min(lowest, group.offsets[partition]!);
    this.#topic.logs[partition]!.trimTo(lowest);
  }

  #report(error: unknown, partition: number): void {
    const onError = this.#settings.onHandlerError;
    if (onError === undefined) return;
    try {
      onError(error, { topic: this.#topic.name, group: this.#group.name, partition });
    } catch {
      // A failing error hook must not stop the retry.
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new BackendError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function closedError(): BackendError {
  return new BackendError('QUEUE_CLOSED', 'the queue is closed');
}
