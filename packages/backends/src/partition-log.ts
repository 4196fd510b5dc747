import type { QueueMessage } from './types.js';

/**
 * One partition's retained messages, addressed by offset. Trimming advances a head index
 * instead of shifting the array (O(1)); the dead prefix is dropped once it outweighs the
 * live part, so memory stays proportional to what is retained.
 */
export class PartitionLog {
  #entries: QueueMessage[] = [];
  #head = 0;
  /** Offset of #entries[#head]. */
  #base = 0;

  /** Offset of the oldest retained message. */
  get start(): number {
    return this.#base;
  }

  /** Offset the next appended message gets. */
  get end(): number {
    return this.#base + this.#entries.length - this.#head;
  }

  append(message: QueueMessage): void {
    this.#entries.push(message);
  }

  /** Up to `max` messages starting at `offset` (which must be retained). */
  read(offset: number, max: number): QueueMessage[] {
    const from = this.#head + (offset - this.#base);
    return this.#entries.slice(from, Math.min(from + max, this.#entries.length));
  }

  /** Forgets every message below `offset`. */
  trimTo(offset: number): void {
    const drop = Math.min(offset, this.end) - this.#base;
    if (drop <= 0) return;
    this.#head += drop;
    this.#base += drop;
    if (this.#head >= 1_024 && this.#head * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** FNV-1a over UTF-16 code units: cheap, stable across runs, spreads short keys well. */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
