/**
 * Creates each topic once, on first use, with the configured partition count. Creation is
 * idempotent on the broker (an existing topic is kept as it is), so several Queue instances
 * or processes may race on it; a failure is forgotten so the next use tries again.
 */
import type { Admin } from 'kafkajs';

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
    await this.#admin.createTopics({
      topics: [{ topic, numPartitions: this.#partitions }],
      waitForLeaders: true,
    });
    this.#known.add(topic);
  }
}
