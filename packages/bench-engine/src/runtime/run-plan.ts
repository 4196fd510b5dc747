/**
 * Runs a plan: load threads for the arrival-rate and closed-model scenarios, autocannon in
 * this thread for max-throughput ones, the webhook sink here too when a flow needs
 * callbacks; merges every thread's windows into the run's metrics, reconciles the accepted
 * messages, and judges rate attainment.
 */
import { Worker } from 'node:worker_threads';
import type { MetricsWindow, RunMetrics } from '../metrics.js';
import { StatusSink } from '../sink/status-sink.js';
import type { Reconciliation } from '../sink/message-ledger.js';
import { attainmentOf, sumStats, type ScenarioAttainment } from './attainment.js';
import { nowMs } from './clock.js';
import { BenchRuntimeError } from './errors.js';
import { flowNeedsSink } from './flows/registry.js';
import { WindowClock } from './load-thread.js';
import { WindowMerger } from './merge.js';
import { runMaxThroughput, type MaxThroughputResult } from './max-throughput.js';
import {
  accountsOf,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_LATENESS_TOLERANCE_MS,
  defaultWorkerCount,
  executorDurationMs,
  isArrivalRate,
  type RunPlan,
  type ScenarioPlan,
} from './plan.js';
import type { FromWorker, ScenarioStats, ToWorker, WorkerAssignment, WorkerScenario } from './protocol.js';
import { MetricsRecorder } from './recorder.js';
import { shareCount } from './schedule.js';
import { validatePlan } from './validate.js';

/** Upper bound of keep-alive connections per origin in one load thread. */
const MAX_CONNECTIONS_PER_THREAD = 1_024;
/** Time the load threads get between the start message and the first arrival. */
const START_SLACK_MS = 50;

export interface RunOptions {
  /** Called once per second of the run with every thread's samples merged. */
  onWindow?: (window: MetricsWindow) => void;
  /** Aborts the run: no new arrivals, in-flight iterations interrupted, results still returned. */
  signal?: AbortSignal;
}

export interface RunResult {
  metrics: RunMetrics;
  /** Messages accepted during the run and what became of them (all zero when no flow sends messages). */
  reconciliation: Reconciliation;
  attainment: ScenarioAttainment[];
  /** max-throughput scenarios: what autocannon achieved. */
  maxThroughput: Record<string, MaxThroughputResult>;
  aborted: boolean;
  /** Load threads used. */
  workers: number;
}

const EMPTY_RECONCILIATION: Reconciliation = {
  accepted: 0,
  terminal: 0,
  lost: 0,
  duplicates: 0,
  duplicatesWithNewToken: 0,
  byStatus: {},
  invalidSignatures: 0,
  unexpected: 0,
};

/** Splits each thread-run scenario over at most `workers` threads (never more threads than VUs). */
export function assignShares(scenarios: readonly ScenarioPlan[], workers: number): WorkerScenario[][] {
  const perWorker: WorkerScenario[][] = Array.from({ length: workers }, () => []);
  for (const scenario of scenarios) {
    const e = scenario.executor;
    if (e.type === 'max-throughput') continue;
    const pre = isArrivalRate(e) ? e.preAllocatedVUs : e.vus;
    const max = isArrivalRate(e) ? e.maxVUs : e.vus;
    const of = Math.max(1, Math.min(workers, max));
    for (let index = 0; index < of; index++) {
      perWorker[index]!.push({
        scenario,
        share: { index, of },
        preAllocatedVUs: shareCount(pre, index, of),
        maxVUs: shareCount(max, index, of),
      });
    }
  }
  return perWorker;
}

interface ThreadHandle {
  id: string;
  worker: Worker;
  done: Promise<ScenarioStats[]>;
}

function spawn(
  id: string,
  onMessage: (m: FromWorker) => void,
): { worker: Worker; ready: Promise<void>; done: Promise<ScenarioStats[]> } {
  const worker = new Worker(new URL('./worker.js', import.meta.url));
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<ScenarioStats[]>((resolve, reject) => {
    let finished = false;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') markReady();
      else if (m.type === 'done') {
        finished = true;
        onMessage(m);
        resolve(m.stats);
      } else if (m.type === 'error') {
        finished = true;
        reject(new BenchRuntimeError('WORKER_FAILED', `load thread ${id} failed: ${m.message}`));
      } else onMessage(m);
    });
    worker.on('error', (err) => {
      finished = true;
      reject(new BenchRuntimeError('WORKER_FAILED', `load thread ${id} failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (!finished)
        reject(new BenchRuntimeError('WORKER_FAILED', `load thread ${id} exited with code ${code}`));
    });
  });
  // Keep an early failure from surfacing as an unhandled rejection before it is awaited.
  done.catch(() => {});
  return { worker, ready, done };
}

export async function runPlan(plan: RunPlan, options: RunOptions = {}): Promise<RunResult> {
  validatePlan(plan);
  const signal = options.signal ?? new AbortController().signal;
  const tolerance = plan.latenessToleranceMs ?? DEFAULT_LATENESS_TOLERANCE_MS;
  const mainRecorder = new MetricsRecorder();
  const needsSink = plan.scenarios.some((s) => flowNeedsSink(s.flows));
  const sink = needsSink
    ? await StatusSink.start({
        authToken: plan.target.authToken,
        // Each account signs its callbacks with its own token.
        accounts: Object.fromEntries(accountsOf(plan.target).map((a) => [a.accountSid, a.authToken])),
        recorder: mainRecorder,
        ...(plan.sink?.host !== undefined ? { host: plan.sink.host } : {}),
        ...(plan.sink?.port !== undefined ? { port: plan.sink.port } : {}),
        ...(plan.sink?.publicUrl !== undefined ? { publicUrl: plan.sink.publicUrl } : {}),
      })
    : undefined;

  const shares = assignShares(plan.scenarios, plan.workers ?? defaultWorkerCount()).filter(
    (s) => s.length > 0,
  );
  const threads: ThreadHandle[] = [];
  let merger: WindowMerger | undefined;
  const pendingWindows: [string, MetricsWindow][] = [];
  const addWindow = (id: string, w: MetricsWindow): void => {
    if (merger === undefined) pendingWindows.push([id, w]);
    else merger.add(id, w);
  };
  let clock: WindowClock | undefined;
  const onAbort = (): void => {
    for (const t of threads) t.worker.postMessage({ type: 'abort' } satisfies ToWorker);
  };

  try {
    const spawned = shares.map((_, i) => {
      const id = `w${i}`;
      const s = spawn(id, (m) => {
        if (m.type === 'window') addWindow(id, m.window);
        else if (m.type === 'done') {
          addWindow(id, m.window);
          merger?.finish(id);
        } else if (m.type === 'expect') {
          const e = m.expectation;
          const worker = threads[i]?.worker;
          sink?.expect(e.sid, e.acceptedAtMs, e.awaitStatus, e.tags, (status, ok) => {
            if (e.awaitStatus !== undefined)
              worker?.postMessage({
                type: 'settled',
                settlement: { sid: e.sid, status, ok },
              } satisfies ToWorker);
          });
        }
      });
      threads.push({ id, worker: s.worker, done: s.done });
      return s;
    });
    await Promise.race([Promise.all(spawned.map((s) => s.ready)), Promise.all(spawned.map((s) => s.done))]);

    const epochMs = nowMs() + START_SLACK_MS;
    merger = new WindowMerger(['main', ...threads.map((t) => t.id)], options.onWindow);
    for (const [id, w] of pendingWindows) merger.add(id, w);
    clock = new WindowClock(epochMs, mainRecorder, (w) => merger!.add('main', w));
    clock.start();
    shares.forEach((scenarios, i) => {
      const assignment: WorkerAssignment = {
        workerIndex: i,
        epochMs,
        scenarios,
        target: plan.target,
        sinkUrl: sink?.url,
        latenessToleranceMs: tolerance,
        connections: Math.min(
          MAX_CONNECTIONS_PER_THREAD,
          Math.max(
            1,
            scenarios.reduce((n, s) => n + s.maxVUs, 0),
          ),
        ),
      };
      threads[i]!.worker.postMessage({ type: 'start', assignment } satisfies ToWorker);
    });
    // An abort before this point (while the threads started) still reaches them.
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });

    const maxThroughput: Record<string, MaxThroughputResult> = {};
    const autocannonRuns = plan.scenarios
      .filter((s) => s.executor.type === 'max-throughput')
      .map(async (s) => {
        maxThroughput[s.name] = await runMaxThroughput(s, plan.target, mainRecorder, epochMs, signal);
      });
    const statsPerThread = await Promise.all(threads.map((t) => t.done));
    await Promise.all(autocannonRuns);
    const loadEndedMs = nowMs();

    const reconciliation =
      sink === undefined
        ? EMPTY_RECONCILIATION
        : await sink.reconcile(plan.sink?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, signal);
    merger.add('main', clock.stop());
    merger.finish('main');
    const metrics = merger.close();

    const allStats = statsPerThread.flat();
    const attainment = plan.scenarios.map((s) => {
      const stats = sumStats(
        s.name,
        allStats.filter((x) => x.scenario === s.name),
      );
      if (s.executor.type === 'max-throughput') {
        const r = maxThroughput[s.name];
        return {
          ...attainmentOf(s, stats, signal.aborted, s.executor.durationMs),
          started: r?.requests ?? 0,
          offeredRate: r?.requestsPerSecond ?? 0,
        };
      }
      const elapsed = Math.min(executorDurationMs(s.executor), loadEndedMs - epochMs - s.startTimeMs);
      return attainmentOf(s, stats, signal.aborted, elapsed);
    });
    return {
      metrics,
      reconciliation,
      attainment,
      maxThroughput,
      aborted: signal.aborted,
      workers: threads.length,
    };
  } finally {
    clock?.stop();
    signal.removeEventListener('abort', onAbort);
    await Promise.all(threads.map((t) => t.worker.terminate()));
    await sink?.close();
  }
}
