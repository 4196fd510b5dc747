/**
 * Histogram buckets, in seconds. One set per kind of latency so that dashboards can compare
 * processes: the same `le` values everywhere.
 */

/** An HTTP request inside the gateway: 0.1 ms (a cached 401) to 10 s (a stuck cell). */
export const HTTP_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Work that crosses a disk or a network (a commit, a carrier submit, a webhook): 0.5 ms to 30 s. */
export const IO_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** A whole pipeline (accept → delivered, a verification's life): 10 ms to 10 min. */
export const PIPELINE_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];
