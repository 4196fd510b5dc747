/**
 * Offset commits of one consumer, coalesced: partitions worked on concurrently each ask for a
 * commit when their handler resolves; while one commit is in flight the askers share the next
 * one, which commits every offset resolved by then. One round trip serves many partitions.
 */
export class CommitCoalescer {
  #running: Promise<void> | null = null;
  #queued: Promise<void> | null = null;

  /** `commitResolved` commits every offset resolved so far (read when it runs, not when asked). */
  commit(commitResolved: () => Promise<void>): Promise<void> {
    if (this.#queued !== null) return this.#queued;
    if (this.#running === null) return this.#start(commitResolved);
    const after = this.#running.then(ignore, ignore);
    this.#queued = after.then(() => {
      this.#queued = null;
      return this.#start(commitResolved);
    });
    return this.#queued;
  }

  #start(commitResolved: () => Promise<void>): Promise<void> {
    const running: Promise<void> = commitResolved().finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }
}

function ignore(): void {}
