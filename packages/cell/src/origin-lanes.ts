/**
 * Per-origin concurrency: each origin (scheme://host:port) gets at most `limit` deliveries
 * in flight and its own FIFO of waiting ones, so one slow endpoint fills only its own lane
 * and never holds up callbacks bound for other origins.
 */
interface Lane<T> {
  active: number;
  waiting: (T | undefined)[];
  /** Guards against re-entry when `run` settles synchronously and releases from inside pump. */
  pumping: boolean;
  /** Index of the next waiting item; the array is compacted when the head passes half. */
  head: number;
}

export class OriginLanes<T> {
  private readonly lanes = new Map<string, Lane<T>>();

  constructor(
    private readonly limit: number,
    /** Starts one delivery; must call `release(origin)` exactly once when it settles. */
    private readonly run: (item: T) => void,
  ) {}

  submit(origin: string, item: T): void {
    let lane = this.lanes.get(origin);
    if (lane === undefined) {
      lane = { active: 0, waiting: [], head: 0, pumping: false };
      this.lanes.set(origin, lane);
    }
    lane.waiting.push(item);
    this.pump(origin, lane);
  }

  release(origin: string): void {
    const lane = this.lanes.get(origin);
    if (lane === undefined) return;
    lane.active--;
    this.pump(origin, lane);
  }

  /** Deliveries waiting for a free slot (not counting those in flight). */
  get waiting(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.waiting.length - lane.head;
    return n;
  }

  private pump(origin: string, lane: Lane<T>): void {
    if (lane.pumping) return;
    lane.pumping = true;
    while (lane.active < this.limit && lane.head < lane.waiting.length) {
      const item = lane.waiting[lane.head] as T;
      lane.waiting[lane.head] = undefined; // let it be collected
      lane.head++;
      lane.active++;
      this.run(item);
    }
    if (lane.head === lane.waiting.length) {
      lane.waiting.length = 0;
      lane.head = 0;
      if (lane.active === 0) this.lanes.delete(origin);
    } else if (lane.head > 1024 && lane.head * 2 > lane.waiting.length) {
      lane.waiting = lane.waiting.slice(lane.head);
      lane.head = 0;
    }
    lane.pumping = false;
  }
}
