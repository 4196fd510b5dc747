/**
 * Serialises work per key (a message SID) inside this process. Every status change of a message
 * runs in its lane, so a delivery receipt can never interleave with the sender's own write for
 * the same message and undo a later status.
 *
 * A caller registers itself as the new tail of each key before waiting, and only ever waits on
 * tails that existed before it, so lanes cannot deadlock.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const earlier: Promise<void>[] = [];
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail !== undefined && tail !== mine) earlier.push(tail);
      this.tails.set(key, mine);
    }
    try {
      if (earlier.length > 0) await Promise.all(earlier);
      return await work();
    } finally {
      release();
      for (const key of keys) {
        if (this.tails.get(key) === mine) this.tails.delete(key);
      }
    }
  }

  /** Keys with work queued or running (for tests and shutdown diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
