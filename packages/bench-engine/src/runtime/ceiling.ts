/**
 * How many arrivals per second ONE load thread can schedule and start when the flow costs
 * nothing: the generator's own ceiling. A target rate per thread near or above it cannot be
 * offered faithfully whatever the system under test does; compare attainment against it.
 */
import { runPlan } from './run-plan.js';

export interface GeneratorCeiling {
  /** Arrivals started per second (on time or not) while asked for far more than one thread can do. */
  arrivalsPerSecond: number;
  /** Of those, started within the lateness tolerance. */
  onTimePerSecond: number;
  asked: number;
  started: number;
  late: number;
  durationMs: number;
}

export async function measureGeneratorCeiling(
  options: { durationMs?: number; rate?: number } = {},
): Promise<GeneratorCeiling> {
  const durationMs = options.durationMs ?? 2_000;
  // Far beyond any thread's reach, so the thread is always behind and works flat out.
  const rate = options.rate ?? 2_000_000;
  const result = await runPlan({
    workers: 1,
    target: { baseUrl: 'http://127.0.0.1:9', accountSid: 'AC' + '0'.repeat(32), authToken: '0'.repeat(32) },
    scenarios: [
      {
        name: 'ceiling',
        tags: {},
        startTimeMs: 0,
        gracefulStopMs: 1_000,
        executor: {
          type: 'constant-arrival-rate',
          rate,
          timeUnitMs: 1_000,
          durationMs,
          preAllocatedVUs: 10_000,
          maxVUs: 10_000,
        },
        flows: [{ flow: 'noop', weight: 1, with: {} }],
      },
    ],
  });
  const a = result.attainment[0]!;
  const seconds = durationMs / 1000;
  return {
    arrivalsPerSecond: a.started / seconds,
    onTimePerSecond: (a.started - a.late) / seconds,
    asked: rate,
    started: a.started,
    late: a.late,
    durationMs,
  };
}
