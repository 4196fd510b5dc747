/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable across worker threads
 * (each thread has its own `performance.timeOrigin`, but origin + now is absolute).
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
