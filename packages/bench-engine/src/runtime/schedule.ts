/**
 * Arrival schedules for the open-model executors, as pure functions of the executor.
 *
 * The cumulative number of arrivals N(t) is the integral of the rate; arrival k (k = 0, 1, …)
 * is due at the instant N(t) = k, for every such instant before the end. So a constant
 * 10/s for 1 s starts at 0, 100, …, 900 ms (10 arrivals), and a ramp interpolates the rate
 * linearly within each stage (k6's ramping-arrival-rate), which makes N(t) quadratic there.
 */
import type { ArrivalRateExecutor, RampingStage } from './plan.js';

/** Absorbs floating-point error when N(t) lands on an integer. */
const EPSILON = 1e-9;

interface Segment {
  startMs: number;
  durationMs: number;
  /** Rates in arrivals per millisecond at the segment's start and end. */
  fromPerMs: number;
  toPerMs: number;
  /** N(t) at the segment's start. */
  arrivalsBefore: number;
}

function segmentsOf(executor: ArrivalRateExecutor): Segment[] {
  const stages: RampingStage[] =
    executor.type === 'constant-arrival-rate'
      ? [{ durationMs: executor.durationMs, target: executor.rate }]
      : executor.stages;
  let rate = executor.type === 'constant-arrival-rate' ? executor.rate : executor.startRate;
  let startMs = 0;
  let arrivalsBefore = 0;
  const segments: Segment[] = [];
  for (const stage of stages) {
    const fromPerMs = rate / executor.timeUnitMs;
    const toPerMs = stage.target / executor.timeUnitMs;
    segments.push({ startMs, durationMs: stage.durationMs, fromPerMs, toPerMs, arrivalsBefore });
    arrivalsBefore += ((fromPerMs + toPerMs) / 2) * stage.durationMs;
    startMs += stage.durationMs;
    rate = stage.target;
  }
  return segments;
}

/** N(T): the expected number of arrivals over the whole executor (not rounded). */
export function expectedArrivals(executor: ArrivalRateExecutor): number {
  const segments = segmentsOf(executor);
  const last = segments[segments.length - 1];
  if (last === undefined) return 0;
  return last.arrivalsBefore + ((last.fromPerMs + last.toPerMs) / 2) * last.durationMs;
}

/** How many arrivals the schedule holds: the integers k >= 0 with N(t) = k strictly before the end. */
export function arrivalCount(executor: ArrivalRateExecutor): number {
  return Math.max(0, Math.ceil(expectedArrivals(executor) - EPSILON));
}

/** The instant (ms from the executor's start) at which `count` more arrivals are due into `segment`. */
function offsetWithin(segment: Segment, count: number): number | undefined {
  if (segment.durationMs <= 0) return undefined;
  // N(t) already equals k where the segment starts (e.g. the first arrival of a ramp from 0).
  if (count <= EPSILON) return 0;
  const a = segment.fromPerMs;
  const slope = (segment.toPerMs - segment.fromPerMs) / segment.durationMs;
  // Solve a·τ + slope·τ²/2 = count; this form stays exact when slope → 0 and for ramps down.
  const discriminant = a * a + 2 * slope * count;
  if (discriminant < 0) return undefined;
  const denominator = a + Math.sqrt(discriminant);
  if (denominator <= 0) return undefined;
  const tau = (2 * count) / denominator;
  return tau < segment.durationMs - EPSILON ? tau : undefined;
}

/**
 * Intended times (ms from the executor's start) of the arrivals with index ≡ `share.index`
 * (mod `share.of`), in order: worker i of n takes every n-th arrival, so the shares differ
 * by at most one arrival and together are exactly the whole schedule. Lazy, because a
 * long high-rate run holds millions of arrivals.
 */
export function* arrivalTimes(
  executor: ArrivalRateExecutor,
  share: { index: number; of: number } = { index: 0, of: 1 },
): Generator<number, void, undefined> {
  const total = arrivalCount(executor);
  const segments = segmentsOf(executor);
  let segmentIndex = 0;
  for (let k = share.index; k < total; k += share.of) {
    for (;;) {
      const segment = segments[segmentIndex];
      if (segment === undefined) return;
      const offset = offsetWithin(segment, k - segment.arrivalsBefore);
      if (offset !== undefined && k >= segment.arrivalsBefore - EPSILON) {
        yield segment.startMs + Math.max(0, offset);
        break;
      }
      segmentIndex++;
    }
  }
}

/** The number of arrivals in worker `index`'s share of `total`. */
export function shareCount(total: number, index: number, of: number): number {
  return Math.floor(total / of) + (index < total % of ? 1 : 0);
}

/** The rate (arrivals per second) due at `atMs` from the executor's start. */
export function rateAt(executor: ArrivalRateExecutor, atMs: number): number {
  for (const s of segmentsOf(executor)) {
    if (atMs < s.startMs + s.durationMs) {
      const progress = (atMs - s.startMs) / s.durationMs;
      return (s.fromPerMs + (s.toPerMs - s.fromPerMs) * progress) * 1000;
    }
  }
  return 0;
}

/**
 * The steady part of the schedule, over which rate attainment is judged: the whole run of a
 * constant rate; the flat, non-zero stages of a ramp (the whole ramp when it has none).
 */
export function steadyIntervals(executor: ArrivalRateExecutor): { startMs: number; endMs: number }[] {
  const segments = segmentsOf(executor);
  const flat = segments.filter((s) => s.fromPerMs === s.toPerMs && s.fromPerMs > 0 && s.durationMs > 0);
  const chosen = flat.length > 0 ? flat : segments;
  return chosen.map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs }));
}

/** N(t): arrivals due before `atMs` from the executor's start (not rounded). */
export function cumulativeArrivals(executor: ArrivalRateExecutor, atMs: number): number {
  let total = 0;
  for (const s of segmentsOf(executor)) {
    if (atMs <= s.startMs) break;
    const tau = Math.min(atMs - s.startMs, s.durationMs);
    const slope = s.durationMs > 0 ? (s.toPerMs - s.fromPerMs) / s.durationMs : 0;
    total = s.arrivalsBefore + s.fromPerMs * tau + (slope * tau * tau) / 2;
  }
  return total;
}
