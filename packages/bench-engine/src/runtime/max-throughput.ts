/**
 * The `max-throughput` executor: autocannon drives the scenario's http request as fast as
 * `connections` allow, and every response it reports goes into the same metrics as the
 * open-model executors.
 *
 * autocannon is a CLOSED-model generator: each connection sends its next request only when
 * the previous response arrived, and it times a request from when it was actually sent. So
 * when the server stalls, the generator stalls with it and the requests that would have
 * queued up are never timed (coordinated omission): its latencies are NOT a faithful picture
 * of what users at a given rate would see. That is why it is used only to find the ceiling
 * (how many requests per second the target can answer), never to judge latency at a rate.
 */
import autocannon from 'autocannon';
import { METRICS, type Tags } from '../metrics.js';
import { nowMs } from './clock.js';
import { prepareHttpRequest } from './flows/http.js';
import type { MaxThroughput, ScenarioPlan, TargetPlan } from './plan.js';
import type { MetricsRecorder, TrendHandle } from './recorder.js';

export interface MaxThroughputResult {
  requests: number;
  /** Responses per second over the measured duration. */
  requestsPerSecond: number;
  errors: number;
}

export async function runMaxThroughput(
  scenario: ScenarioPlan,
  target: TargetPlan,
  recorder: MetricsRecorder,
  epochMs: number,
  signal: AbortSignal,
): Promise<MaxThroughputResult> {
  const executor = scenario.executor as MaxThroughput;
  const flow = scenario.flows[0]!;
  const request = prepareHttpRequest(flow.with, target.baseUrl, target.accountSid, target.authToken, 'with');
  const tags: Tags = { ...scenario.tags, scenario: scenario.name, flow: flow.flow };
  const durations = new Map<number, TrendHandle>();
  const failed = recorder.rate(METRICS.httpReqFailed, { ...tags, method: request.method });
  const iterations = recorder.counter(METRICS.iterations, { ...scenario.tags, scenario: scenario.name });
  const iterationDuration = recorder.trend(METRICS.iterationDuration, {
    ...scenario.tags,
    scenario: scenario.name,
  });

  const wait = epochMs + scenario.startTimeMs - nowMs();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (signal.aborted) return { requests: 0, requestsPerSecond: 0, errors: 0 };

  let requests = 0;
  let errors = 0;
  const startedAt = nowMs();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${request.origin}${request.path}`,
        method: request.method as autocannon.Request['method'],
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        connections: executor.connections,
        pipelining: executor.pipelining ?? 1,
        duration: executor.durationMs / 1000,
      },
      (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
    );
    // The published typings omit the client argument the event actually carries first.
    const events = instance as unknown as NodeJS.EventEmitter;
    events.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
      requests++;
      let handle = durations.get(status);
      if (handle === undefined) {
        handle = recorder.trend(METRICS.httpReqDuration, {
          ...tags,
          method: request.method,
          status: String(status),
        });
        durations.set(status, handle);
      }
      handle.recordMs(responseTimeMs);
      iterationDuration.recordMs(responseTimeMs);
      iterations.add();
      const ok = request.expectStatus === undefined ? status < 400 : request.expectStatus.has(status);
      if (!ok) errors++;
      failed.add(!ok);
    });
    instance.on('reqError', () => {
      errors++;
      failed.add(true);
    });
    signal.addEventListener('abort', () => (instance as unknown as { stop(): void }).stop(), { once: true });
  });
  const elapsedS = Math.max(1e-3, (nowMs() - startedAt) / 1000);
  return { requests, requestsPerSecond: requests / elapsedS, errors };
}
