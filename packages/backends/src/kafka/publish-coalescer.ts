/**
 * Group commit for publishes: every publish() that arrives in the same event-loop turn, or
 * while a send is in flight, rides in the next single send. Each caller is settled with the
 * outcome of the send that carried its messages. Only one send is in flight at a time, which
 * (with the producer's single in-flight request) keeps each partition's order.
 */
import type { QueueMessage } from '../types.js';

export interface TopicMessages {
  topic: string;
  messages: QueueMessage[];
}

export type SendTopicMessages = (batches: TopicMessages[]) => Promise<void>;

export interface PublishStats {
  /** Sends made (one produce round per send). */
  sends: number;
  /** publish() calls carried by them: publishes / sends is the batching factor. */
  publishes: number;
  messages: number;
}

export interface CoalescerLimits {
  /** Most messages per send (a single larger publish still goes whole, alone). */
  maxMessages: number;
  /** Most key + value characters per send, to stay under the broker's batch size limit. */
  maxChars: number;
}

interface PendingPublish {
  topic: string;
  messages: readonly QueueMessage[];
  chars: number;
  resolve(): void;
  reject(error: unknown): void;
}

export class PublishCoalescer {
  readonly #send: SendTopicMessages;
  readonly #limits: CoalescerLimits;
  #pending: PendingPublish[] = [];
  #draining: Promise<void> | null = null;
  readonly #stats: PublishStats = { sends: 0, publishes: 0, messages: 0 };

  constructor(send: SendTopicMessages, limits: CoalescerLimits) {
    this.#send = send;
    this.#limits = limits;
  }

  publish(topic: string, messages: readonly QueueMessage[]): Promise<void> {
    let chars = 0;
    for (const message of messages) chars += message.key.length + message.value.length;
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ topic, messages, chars, resolve, reject });
      if (this.#draining === null) this.#draining = this.#drain();
    });
  }

  /** Resolves once everything handed to publish() so far has been sent (or failed). */
  async idle(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  stats(): PublishStats {
    return { ...this.#stats };
  }

  async #drain(): Promise<void> {
    // One macrotask turn lets every publish() of this turn join the first send.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (;;) {
      if (this.#pending.length === 0) {
        // Cleared synchronously with the emptiness check, so a publish() arriving later
        // always finds no drain running and starts one.
        this.#draining = null;
        return;
      }
      const carried = this.#take();
      try {
        await this.#send(groupByTopic(carried));
        this.#stats.sends += 1;
        this.#stats.publishes += carried.length;
        for (const publish of carried) this.#stats.messages += publish.messages.length;
        for (const publish of carried) publish.resolve();
      } catch (error) {
        for (const publish of carried) publish.reject(error);
      }
    }
  }

  /** The oldest pending publishes that fit the limits; always at least one. */
  #take(): PendingPublish[] {
    let messages = 0;
    let chars = 0;
    let count = 0;
    for (const publish of this.#pending) {
      messages += publish.messages.length;
      chars += publish.chars;
      if (count > 0 && (messages > this.#limits.maxMessages || chars > this.#limits.maxChars)) break;
      count += 1;
    }
    return this.#pending.splice(0, count);
  }
}

function groupByTopic(carried: readonly PendingPublish[]): TopicMessages[] {
  const byTopic = new Map<string, QueueMessage[]>();
  for (const publish of carried) {
    let list = byTopic.get(publish.topic);
    if (list === undefined) byTopic.set(publish.topic, (list = []));
    for (const message of publish.messages) list.push(message);
  }
  return Array.from(byTopic, ([topic, messages]) => ({ topic, messages }));
}
