/**
 * The rate-attainment check: did the generator actually offer the load the plan asked for?
 * An arrival counts as offered when it started on time (within the lateness tolerance);
 * late and dropped arrivals were not offered at the intended rate. Judged over the steady
 * part of the schedule (see schedule.ts).
 */
import type { ScenarioPlan } from './plan.js';
import { isArrivalRate } from './plan.js';
import type { ScenarioStats } from './protocol.js';
import { cumulativeArrivals, steadyIntervals } from './schedule.js';

/** Below this share of the target rate, a run fails the check. */
export const ATTAINMENT_THRESHOLD = 0.95;

export interface ScenarioAttainment {
  scenario: string;
  executor: ScenarioPlan['executor']['type'];
  /** Arrivals per second the plan asked for over the steady part (null: closed model / max-throughput). */
  targetRate: number | null;
  /** Arrivals per second started on time over the steady part (closed model: iterations/s). */
  offeredRate: number;
  ok: boolean;
  scheduled: number;
  started: number;
  late: number;
  dropped: number;
  interrupted: number;
  /** Most VUs allocated at once (summed over load threads). */
  vusAllocated: number;
}

export function sumStats(scenario: string, parts: readonly ScenarioStats[]): ScenarioStats {
  const total: ScenarioStats = {
    scenario,
    scheduled: 0,
    started: 0,
    late: 0,
    dropped: 0,
    interrupted: 0,
    steadyScheduled: 0,
    steadyOnTime: 0,
    vusAllocated: 0,
  };
  for (const p of parts) {
    total.scheduled += p.scheduled;
    total.started += p.started;
    total.late += p.late;
    total.dropped += p.dropped;
    total.interrupted += p.interrupted;
    total.steadyScheduled += p.steadyScheduled;
    total.steadyOnTime += p.steadyOnTime;
    total.vusAllocated += p.vusAllocated;
  }
  return total;
}

export function attainmentOf(
  scenario: ScenarioPlan,
  stats: ScenarioStats,
  aborted: boolean,
  elapsedMs: number,
): ScenarioAttainment {
  const base = {
    scenario: scenario.name,
    executor: scenario.executor.type,
    scheduled: stats.scheduled,
    started: stats.started,
    late: stats.late,
    dropped: stats.dropped,
    interrupted: stats.interrupted,
    vusAllocated: stats.vusAllocated,
  };
  const executor = scenario.executor;
  if (!isArrivalRate(executor)) {
    return {
      ...base,
      targetRate: null,
      offeredRate: stats.started / Math.max(1e-3, elapsedMs / 1000),
      ok: !aborted,
    };
  }
  const intervals = steadyIntervals(executor);
  const steadyMs = intervals.reduce((sum, i) => sum + (i.endMs - i.startMs), 0);
  const due = intervals.reduce(
    (sum, i) => sum + cumulativeArrivals(executor, i.endMs) - cumulativeArrivals(executor, i.startMs),
    0,
  );
  const seconds = Math.max(1e-3, steadyMs / 1000);
  const targetRate = due / seconds;
  const offeredRate = stats.steadyOnTime / seconds;
  return {
    ...base,
    targetRate,
    offeredRate,
    ok: !aborted && offeredRate >= ATTAINMENT_THRESHOLD * targetRate,
  };
}
