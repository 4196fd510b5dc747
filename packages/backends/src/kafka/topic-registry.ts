/**
 * Creates each topic once, on first use, with the configured partition count. Creation is
 * idempotent on the broker (an existing topic is kept as it is), so several Queue instances
 * or processes may race on it; a failure is forgotten so the next use tries again.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { kafkaErrorType } from './kafka-errors.js';
import type { Admin } from 'kafkajs';

const SETTLING: ReadonlySet<string> = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_CONTROLLER',
]);
const CREATE_ATTEMPTS = 6;
const CREATE_RETRY_MS = 200;

export class TopicRegistry {
  readonly #admin: Admin;
  readonly #partitions: number;
  readonly #ready = new Map<string, Promise<void>>();
  /** Topics seen to exist (created here or found on the broker). */
  readonly #known = new Set<string>();

  constructor(admin: Admin, partitions: number) {
    this.#admin = admin;
    this.#partitions = partitions;
  }

  /** Resolves once `topic` exists and its partitions have leaders. */
  ensure(topic: string): Promise<void> {
    let ready = this.#ready.get(topic);
    if (ready === undefined) {
      ready = this.#create(topic);
      this.#ready.set(topic, ready);
      ready.catch(() => this.#ready.delete(topic));
    }
    return ready;
  }

  /**
   * Whether the topic exists. Asking for offsets of a missing topic makes kafkajs retry for
   * seconds, so callers that must not create it (lag) check here first.
   */
  async exists(topic: string): Promise<boolean> {
    if (this.#known.has(topic)) return true;
    const found = (await this.#admin.listTopics()).includes(topic);
    if (found) this.#known.add(topic);
    return found;
  }

  async #create(topic: string): Promise<void> {
    // A brand-new broker can answer the leader wait with "does not host this topic-partition"
    // or "leader not available" while it is still settling: the creation is asked again
    // (createTopics is idempotent: an existing topic resolves false).
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#admin.createTopics({
          topics: [{ topic, numPartitions: this.#partitions }],
          waitForLeaders: true,
        });
        break;
      } catch (error) {
        const type = kafkaErrorType(error);
        if (attempt >= CREATE_ATTEMPTS || type === undefined || !SETTLING.has(type)) throw error;
        await delay(CREATE_RETRY_MS * attempt);
      }
    }
    this.#known.add(topic);
  }
}
