/**
 * Items that become due at a time: a binary min-heap with ONE timer armed for the earliest,
 * instead of a timer per item (a dead endpoint under a storm can hold 100k retries). The
 * timer is unref'd so pending retries never keep the process alive.
 */
interface Slot<T> {
  at: number;
  seq: number;
  item: T;
}

export class DueQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private armedAt = Number.POSITIVE_INFINITY;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Hands `item` to onDue at `at` (epoch ms); FIFO among items due at the same time. */
  schedule(item: T, at: number): void {
    if (this.closed) return;
    this.push({ at, seq: this.seq++, item });
    this.arm();
  }

  /** Drops every scheduled item and the timer. */
  close(): void {
    this.closed = true;
    this.heap.length = 0;
    this.disarm();
  }

  private arm(): void {
    const first = this.heap[0];
    if (first === undefined) {
      this.disarm();
      return;
    }
    if (this.timer !== null && this.armedAt <= first.at) return;
    this.disarm();
    this.armedAt = first.at;
    const delay = Math.max(0, first.at - this.now());
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    // The timer firing vouches for everything up to the time it was armed for, even if an
    // injected clock lags the real one; anything else already due goes along with it.
    const horizon = Math.max(this.armedAt, this.now());
    this.timer = null;
    this.armedAt = Number.POSITIVE_INFINITY;
    const due: T[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Slot<T>).at <= horizon) due.push(this.pop().item);
    this.arm();
    for (const item of due) this.onDue(item);
  }

  private push(slot: Slot<T>): void {
    const heap = this.heap;
    heap.push(slot);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(slot, heap[parent] as Slot<T>)) break;
      heap[i] = heap[parent] as Slot<T>;
      i = parent;
    }
    heap[i] = slot;
  }

  private pop(): Slot<T> {
    const heap = this.heap;
    const top = heap[0] as Slot<T>;
    const last = heap.pop() as Slot<T>;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && before(heap[right] as Slot<T>, heap[left] as Slot<T>) ? right : left;
      if (!before(heap[child] as Slot<T>, last)) break;
      heap[i] = heap[child] as Slot<T>;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
