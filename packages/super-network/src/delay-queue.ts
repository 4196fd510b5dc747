/**
 * Runs jobs after a delay from a single Node timer. The simulators schedule one or two delayed
 * actions per message (submit response, delivery receipt); at thousands of messages per second
 * one timer over a binary heap is cheaper than a setTimeout and a closure per action, and
 * clear() drops every pending job at once so close() leaves nothing behind.
 */
interface Entry<T> {
  due: number;
  seq: number;
  job: T;
}

export class DelayQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;

  constructor(
    private readonly run: (job: T) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(delayMs: number, job: T): void {
    const entry: Entry<T> = { due: Date.now() + Math.max(0, delayMs), seq: this.seq++, job };
    this.push(entry);
    if (entry.due < this.timerDue) this.arm();
  }

  /** Drops every pending job (they never run). */
  clear(): void {
    this.heap.length = 0;
    this.disarm();
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.timerDue = Infinity;
    const now = Date.now();
    // Jobs scheduled while running (a retry with zero delay) wait for the next turn, so one
    // burst cannot starve the event loop.
    let budget = this.heap.length;
    while (budget-- > 0) {
      const head = this.heap[0];
      if (!head || head.due > now) break;
      this.pop();
      try {
        this.run(head.job);
      } catch (error) {
        this.onError(error);
      }
    }
    this.arm();
  };

  private arm(): void {
    const head = this.heap[0];
    if (!head) {
      this.disarm();
      return;
    }
    if (this.timer && this.timerDue <= head.due) return;
    this.disarm();
    this.timerDue = head.due;
    this.timer = setTimeout(this.fire, Math.max(0, head.due - Date.now()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
  }

  private static before<T>(a: Entry<T>, b: Entry<T>): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!DelayQueue.before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && DelayQueue.before(heap[right]!, heap[left]!) ? right : left;
      if (!DelayQueue.before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
