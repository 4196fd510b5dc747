/**
 * The VUs an arrival-rate executor may use (k6 semantics): `preAllocated` exist from the
 * start; when every one is busy the pool grows one VU at a time up to `max`; an arrival that
 * finds the pool full is dropped and counted, never queued (queueing would hide the very
 * latency an open model is there to measure). Here a VU is only a concurrency slot, so
 * growing is instant, where k6 initialises the VU in the background and drops meanwhile.
 */
export class VuPool {
  private busyCount = 0;
  private allocatedCount: number;
  private droppedCount = 0;

  constructor(
    preAllocated: number,
    readonly max: number,
  ) {
    this.allocatedCount = Math.min(preAllocated, max);
  }

  /** Takes a free VU (growing the pool if allowed); false means the arrival is dropped. */
  tryAcquire(): boolean {
    if (this.busyCount < this.allocatedCount) {
      this.busyCount++;
      return true;
    }
    if (this.allocatedCount < this.max) {
      this.allocatedCount++;
      this.busyCount++;
      return true;
    }
    this.droppedCount++;
    return false;
  }

  release(): void {
    if (this.busyCount > 0) this.busyCount--;
  }

  get busy(): number {
    return this.busyCount;
  }
  get allocated(): number {
    return this.allocatedCount;
  }
  get dropped(): number {
    return this.droppedCount;
  }
}
