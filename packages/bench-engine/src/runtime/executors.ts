/**
 * Runs one scenario's share inside a load thread. Open model: every arrival has an intended
 * time from the schedule; a tick about every millisecond starts all the arrivals that are due
 * (never one timer per arrival), latency counts from the intended time, an arrival that
 * starts more than the tolerance late is counted late, and one that finds no free VU is
 * dropped. Closed model: each VU runs iterations back to back.
 */
import { setMaxListeners } from 'node:events';
import { METRICS, type Tags } from '../metrics.js';
import { nowMs } from './clock.js';
import { flowDefinition, WeightedPicker } from './flows/registry.js';
import type { Flow, FlowEnv } from './flows/types.js';
import { executorDurationMs, isArrivalRate, type ArrivalRateExecutor } from './plan.js';
import type { ScenarioStats, WorkerScenario } from './protocol.js';
import type { CounterHandle, MetricsRecorder, TrendHandle } from './recorder.js';
import { arrivalCount, arrivalTimes, shareCount, steadyIntervals } from './schedule.js';
import { VuPool } from './vu-pool.js';

/** Starting more than this many arrivals in one tick would stall the event loop; yield instead. */
const MAX_STARTS_PER_TICK = 2_000;

export const INTERRUPTED_ITERATIONS = 'interrupted_iterations';
export const ITERATION_ERRORS = 'iteration_errors';

export interface ExecutorDeps {
  epochMs: number;
  latenessToleranceMs: number;
  recorder: MetricsRecorder;
  /** Everything a flow needs except its tags. */
  env: Omit<FlowEnv, 'tags'>;
  /** Aborted when the whole run is aborted. */
  runSignal: AbortSignal;
}

function baseTags(ws: WorkerScenario): Tags {
  return { ...ws.scenario.tags, scenario: ws.scenario.name };
}

class ScenarioRun {
  readonly stats: ScenarioStats;
  private readonly picker: WeightedPicker<Flow>;
  private readonly iterationDuration: TrendHandle;
  private readonly iterations: CounterHandle;
  private readonly interrupted: CounterHandle;
  private readonly errors: CounterHandle;
  readonly dropped: CounterHandle;
  readonly late: CounterHandle;
  /** Aborts in-flight iterations (graceful stop ran out, or run aborted). */
  readonly stop = new AbortController();
  private inFlight = 0;
  private idle: (() => void) | undefined;
  readonly startAbs: number;
  readonly endAbs: number;

  constructor(
    readonly ws: WorkerScenario,
    private readonly deps: ExecutorDeps,
  ) {
    const tags = baseTags(ws);
    const r = deps.recorder;
    const flows = ws.scenario.flows.map((f) =>
      flowDefinition(f.flow).create(f.with, { ...deps.env, tags: { ...tags, flow: f.flow } }),
    );
    this.picker = new WeightedPicker(
      flows,
      ws.scenario.flows.map((f) => f.weight),
    );
    this.iterationDuration = r.trend(METRICS.iterationDuration, tags);
    this.iterations = r.counter(METRICS.iterations, tags);
    this.interrupted = r.counter(INTERRUPTED_ITERATIONS, tags);
    this.errors = r.counter(ITERATION_ERRORS, tags);
    this.dropped = r.counter(METRICS.droppedIterations, tags);
    this.late = r.counter(METRICS.lateArrivals, tags);
    this.startAbs = deps.epochMs + ws.scenario.startTimeMs;
    this.endAbs = this.startAbs + executorDurationMs(ws.scenario.executor);
    this.stats = {
      scenario: ws.scenario.name,
      scheduled: 0,
      started: 0,
      late: 0,
      dropped: 0,
      interrupted: 0,
      steadyScheduled: 0,
      steadyOnTime: 0,
      vusAllocated: 0,
    };
    // Every in-flight request listens on this signal; thousands are normal, not a leak.
    setMaxListeners(0, this.stop.signal);
    if (deps.runSignal.aborted) this.stop.abort();
    else deps.runSignal.addEventListener('abort', () => this.stop.abort(), { once: true });
  }

  /** One iteration; resolves when it ended (never rejects). */
  async iterate(intendedMs: number, pool?: VuPool): Promise<void> {
    this.inFlight++;
    try {
      await this.picker.pick().run({ intendedMs, signal: this.stop.signal });
      this.iterationDuration.recordMs(nowMs() - intendedMs);
      this.iterations.add();
    } catch {
      if (this.stop.signal.aborted) {
        this.interrupted.add();
        this.stats.interrupted++;
      } else {
        this.errors.add();
      }
    } finally {
      pool?.release();
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  /** Waits for in-flight iterations for up to the graceful stop, then interrupts the rest. */
  async drain(): Promise<void> {
    if (this.inFlight > 0 && !this.stop.signal.aborted) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, this.ws.scenario.gracefulStopMs);
      });
      clearTimeout(timer);
    }
    if (this.inFlight > 0) {
      this.stop.abort();
      await new Promise<void>((resolve) => (this.inFlight === 0 ? resolve() : (this.idle = resolve)));
    }
    this.idle = undefined;
  }

  get aborted(): boolean {
    return this.deps.runSignal.aborted;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function runArrivalRate(
  run: ScenarioRun,
  executor: ArrivalRateExecutor,
  deps: ExecutorDeps,
): Promise<void> {
  const { ws, stats } = run;
  const pool = new VuPool(ws.preAllocatedVUs, ws.maxVUs);
  const steady = steadyIntervals(executor);
  const tolerance = deps.latenessToleranceMs;
  const times = arrivalTimes(executor, ws.share);
  const totalShare = shareCount(arrivalCount(executor), ws.share.index, ws.share.of);
  let next = times.next();

  await delay(run.startAbs - nowMs() - 1, deps.runSignal);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      if (run.aborted) return resolve();
      const now = nowMs();
      if (now >= run.endAbs + tolerance) {
        // The scenario is over: arrivals the thread never got to were not offered (k6 counts
        // them as dropped too), and starting them now would run the scenario past its end.
        const missed = totalShare - stats.scheduled;
        if (missed > 0) {
          stats.scheduled += missed;
          stats.dropped += missed;
          run.dropped.add(missed);
        }
        return resolve();
      }
      let startedThisTick = 0;
      while (!next.done && run.startAbs + next.value <= now) {
        const offset = next.value;
        const intended = run.startAbs + offset;
        const inSteady = steady.some((s) => offset >= s.startMs && offset < s.endMs);
        stats.scheduled++;
        if (inSteady) stats.steadyScheduled++;
        if (!pool.tryAcquire()) {
          stats.dropped++;
          run.dropped.add();
        } else {
          stats.started++;
          if (now - intended > tolerance) {
            stats.late++;
            run.late.add();
          } else if (inSteady) {
            stats.steadyOnTime++;
          }
          void run.iterate(intended, pool);
        }
        next = times.next();
        if (++startedThisTick >= MAX_STARTS_PER_TICK) {
          setImmediate(tick);
          return;
        }
      }
      stats.vusAllocated = Math.max(stats.vusAllocated, pool.allocated);
      if (next.done) return resolve();
      // Sleep until the next arrival is due; timers fire at ~1 ms granularity, so arrivals
      // closer together than that are started in batches by the loop above.
      const wait = run.startAbs + next.value - nowMs();
      setTimeout(tick, wait > 1 ? Math.floor(wait) : 0);
    };
    tick();
  });
  // The schedule ends at the scenario's end; the graceful stop counts from there.
  await delay(run.endAbs - nowMs(), deps.runSignal);
  await run.drain();
}

async function runClosed(run: ScenarioRun, deps: ExecutorDeps): Promise<void> {
  const executor = run.ws.scenario.executor;
  const perVu = executor.type === 'per-vu-iterations' ? executor.iterations : Infinity;
  await delay(run.startAbs - nowMs(), deps.runSignal);
  const vu = async (): Promise<void> => {
    for (let i = 0; i < perVu && nowMs() < run.endAbs && !run.stop.signal.aborted; i++) {
      run.stats.scheduled++;
      run.stats.started++;
      // Closed model: the next iteration is only "intended" once the previous one ended.
      await run.iterate(nowMs());
    }
  };
  run.stats.vusAllocated = run.ws.maxVUs;
  const vus = Array.from({ length: run.ws.maxVUs }, vu);
  // At the end of the duration, the VUs get the graceful stop to finish their iteration.
  const stopper = (async () => {
    await delay(run.endAbs - nowMs(), run.stop.signal);
    await delay(run.ws.scenario.gracefulStopMs, run.stop.signal);
    run.stop.abort();
  })();
  await Promise.all(vus);
  run.stop.abort();
  await stopper;
}

/** Runs one scenario share to its end; resolves with what it saw. */
export async function runScenarioShare(ws: WorkerScenario, deps: ExecutorDeps): Promise<ScenarioStats> {
  const run = new ScenarioRun(ws, deps);
  const executor = ws.scenario.executor;
  if (isArrivalRate(executor)) await runArrivalRate(run, executor, deps);
  else await runClosed(run, deps);
  return run.stats;
}
