/** One autocannon run and the figures the gateway report needs from it. */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationSec: number;
  /** Requests per second across all connections; absent = as fast as the server answers. */
  overallRate?: number;
}

export interface LoadResult {
  requests: number;
  /** Responses with exactly this status (201 for message creates). */
  created: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  /** Successful responses per second over the run. */
  rps: number;
  /** Milliseconds; autocannon measures from send time (closed model, see the report note). */
  p50: number;
  p99: number;
  max: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    body: spec.body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...spec.headers },
    connections: spec.connections,
    duration: spec.durationSec,
    pipelining: 1,
    ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
  });
  const created = result.statusCodeStats?.['201']?.count ?? 0;
  const durationSec = result.duration > 0 ? result.duration : spec.durationSec;
  return {
    requests: result.requests.total,
    created,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec,
    rps: created / durationSec,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}
