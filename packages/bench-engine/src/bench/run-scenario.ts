/**
 * `twilio-lab bench FILE`, as a library: a scenario file in, a verdict, reports and an exit
 * code out. Starts (and stops) the embedded lab itself unless given a running one, provisions
 * what the flows need, runs the load, watches abortOnFail budgets as windows arrive, then
 * judges: budgets, reconciliation (a lost message fails the run whatever the latencies) and
 * rate attainment (a generator that could not offer the target rate fails the run).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabOptions, RunningLab } from '@twilio-lab/lab';
import { evaluateIncremental, evaluateThresholds } from '../budgets/evaluate.js';
import type { ThresholdResult } from '../budgets/evaluate.js';
import type { MetricsWindow } from '../metrics.js';
import { METRICS } from '../metrics.js';
import { writeHtmlReport } from '../report/html.js';
import type { Annotation } from '../report/html.js';
import { buildJsonSummary, writeJsonSummary } from '../report/json-summary.js';
import type { JsonSummary } from '../report/json-summary.js';
import type { SampleOptions } from '../compare/samples.js';
import { formatJUnit } from '../report/junit.js';
import type { ExtraCheck } from '../report/junit.js';
import { writeTimeSeriesNdjson } from '../report/ndjson.js';
import { formatSummaryTable } from '../report/table.js';
import { runPlan } from '../runtime/run-plan.js';
import type { RunResult } from '../runtime/run-plan.js';
import type { RunPlan, TargetPlan } from '../runtime/plan.js';
import { validatePlan } from '../runtime/validate.js';
import type { Scenario } from '../scenario/types.js';
import { writeFile } from 'node:fs/promises';
import { calibrate } from './calibration.js';
import type { Calibration } from './calibration.js';
import { histogramOf, newHistogram, percentileMs } from '../budgets/histogram.js';
import { checkSetup, provision, withProvisioned } from './setup.js';

const PLACEHOLDER_TARGET: TargetPlan = { baseUrl: 'http://127.0.0.1:1', accountSid: 'AC0', authToken: '0' };

export const BENCH_EXIT = { ok: 0, budgetsFailed: 99, invalid: 104, aborted: 105 } as const;

export interface BenchProgress {
  elapsedMs: number;
  plannedMs: number;
  /** Arrivals started in the last window (per second). */
  startedPerSec: number;
  /** Iterations completed in the last window (per second). */
  completedPerSec: number;
  /** p99 of http_req_duration so far (ms), null before the first sample. */
  p99Ms: number | null;
  errors: number;
  dropped: number;
}

export interface BenchOptions {
  /** A running lab to drive; when absent and the file says `lab.mode: embedded`, one is started. */
  target?: TargetPlan;
  /** Folder for summary.json, timeseries.ndjson, report.html and junit.xml. Absent: nothing written. */
  outDir?: string;
  workers?: number;
  /** Measure the raw-server calibration first (for `bench compare`). Default true. */
  calibrate?: boolean;
  onProgress?: (progress: BenchProgress) => void;
  /** Lines for the user (setup, lab start, what is written where). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** Toxiproxy the scenario's `faults` are injected through. Default TOXIPROXY_URL, else 127.0.0.1:18474. */
  toxiproxyUrl?: string;
  /** Starts the embedded lab; injected so this package does not load the lab unless needed. */
  startLab?: (options: LabOptions) => Promise<RunningLab>;
}

export interface BenchOutcome {
  exitCode: (typeof BENCH_EXIT)[keyof typeof BENCH_EXIT];
  summary: JsonSummary;
  thresholds: ThresholdResult[];
  checks: ExtraCheck[];
  result: RunResult;
  calibration: Calibration | null;
  table: string;
  files: string[];
}

export async function runScenario(scenario: Scenario, options: BenchOptions = {}): Promise<BenchOutcome> {
  const line = options.onLine ?? (() => undefined);
  const scenarioPlans: RunPlan['scenarios'] = scenario.scenarios.map((s) => ({
    name: s.name,
    tags: s.tags,
    startTimeMs: s.startTimeMs,
    executor: s.executor,
    flows: s.flows,
    gracefulStopMs: s.gracefulStopMs,
  }));
  // Before anything starts: an unbuilt flow or unusable setup fails here, with its path.
  validatePlan({ target: PLACEHOLDER_TARGET, scenarios: scenarioPlans });
  checkSetup(scenario);
  let lab: RunningLab | undefined;
  let target = options.target;
  try {
    if (target === undefined) {
      if (scenario.lab.mode === 'url') {
        throw new Error(
          `${scenario.source}: lab.mode is 'url' but no credentials were given; pass --url with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`,
        );
      }
      if (options.startLab === undefined) throw new Error('no lab to run against');
      lab = await options.startLab({
        port: 0,
        ephemeral: true,
        log: 'silent',
        profile: scenario.lab.profile ?? 'lab',
        rateLimit: { ratePerSec: 1_000_000, burst: 2_000_000 },
      });
      target = {
        baseUrl: lab.info.baseUrl,
        accountSid: lab.info.accountSid,
        authToken: lab.info.authToken,
        adminToken: lab.info.adminToken,
      };
      line(`started an embedded lab at ${target.baseUrl} (stopped after the run)`);
    }
    const provisioned = await provision(target, scenario, line);
    const plan: RunPlan = {
      target: provisioned.accounts.length > 1 ? { ...target, accounts: provisioned.accounts } : target,
      scenarios: withProvisioned(scenarioPlans, provisioned),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    };

    const before = options.calibrate === false ? null : await calibrate();
    if (before !== null) line(`calibration: raw uWS server ${before.requestsPerSecond.toFixed(0)} req/s`);

    const startedAt = new Date();
    const windows: MetricsWindow[] = [];
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort();
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let abortedByBudget: string | null = null;
    const progress = progressTracker(scenario.plannedDurationMs);
    // The faults timeline counts from the run's start; every target is checked before any load.
    const faults = scenario.faults.length === 0 ? null : await startFaultTimeline(scenario, options, line);
    const runPromise = runPlan(plan, {
      signal: abort.signal,
      onWindow: (window) => {
        windows.push(window);
        const p = progress(window);
        options.onProgress?.(p);
        const check = evaluateIncremental(scenario.thresholds, windows);
        if (check.abort && abortedByBudget === null) {
          const failed = check.results.find((r) => !r.ok);
          abortedByBudget = failed === undefined ? 'a budget' : `${failed.selector} ${failed.expression}`;
          line(`abortOnFail: ${abortedByBudget} failed at ${(window.endMs / 1000).toFixed(0)} s; stopping`);
          abort.abort();
        }
      },
    });
    let result: RunResult;
    let rollback: unknown = null;
    try {
      result = await runPromise;
    } finally {
      // Always: a fault must never outlive the run that injected it.
      if (faults !== null) rollback = await faults.stop();
    }
    options.signal?.removeEventListener('abort', onOuterAbort);
    const faultJournal = faults?.journal.entries ?? [];
    // Calibrated before AND after the load, averaged: one short calibration alone moved by
    // 10-15 % between runs on a shared runner, which the normalised throughput then inherited.
    let calibration: Calibration | null = null;
    if (before !== null) {
      const after = await calibrate();
      calibration = {
        requestsPerSecond: (before.requestsPerSecond + after.requestsPerSecond) / 2,
        durationMs: before.durationMs + after.durationMs,
      };
      line(
        `calibration after the run: ${after.requestsPerSecond.toFixed(0)} req/s (mean ${calibration.requestsPerSecond.toFixed(0)})`,
      );
    }

    const thresholds = evaluateThresholds(scenario.thresholds, result.metrics);
    const rec = result.reconciliation;
    const checks: ExtraCheck[] = [
      {
        name: 'reconciliation: every accepted message reached a terminal status',
        ok: rec.lost === 0,
        message: `${rec.lost} of ${rec.accepted} accepted messages lost`,
      },
      {
        name: 'webhook signatures valid',
        ok: rec.invalidSignatures === 0,
        message: `${rec.invalidSignatures} callbacks with an invalid X-Twilio-Signature`,
      },
      ...result.attainment
        .filter((a) => a.targetRate !== null)
        .map((a) => ({
          name: `rate attainment: ${a.scenario}`,
          ok: a.ok,
          message: `offered ${a.offeredRate.toFixed(1)}/s of ${a.targetRate}/s (dropped ${a.dropped}, late ${a.late})`,
        })),
    ];
    const aborted = result.aborted || abortedByBudget !== null;
    const exitCode = aborted
      ? BENCH_EXIT.aborted
      : thresholds.every((t) => t.ok) && checks.every((c) => c.ok)
        ? BENCH_EXIT.ok
        : BENCH_EXIT.budgetsFailed;
    const summary = buildJsonSummary({
      samples: compareSamplesOptions(scenario, calibration),
      scenario: scenario.name,
      startedAt: startedAt.toISOString(),
      metrics: result.metrics,
      thresholds,
      extra: {
        exitCode,
        reconciliation: rec,
        attainment: result.attainment,
        checks,
        abortedBy: abortedByBudget,
        faults: faultJournal,
        rollback,
        calibration,
        workers: result.workers,
        source: scenario.source,
      },
    });
    const table = formatSummaryTable(result.metrics, thresholds);
    const files =
      options.outDir === undefined
        ? []
        : await writeReports(
            options.outDir,
            scenario,
            summary,
            result,
            thresholds,
            checks,
            startedAt,
            faultJournal,
          );
    return { exitCode, summary, thresholds, checks, result, calibration, table, files };
  } finally {
    await lab?.close(10_000);
  }
}

async function startFaultTimeline(scenario: Scenario, options: BenchOptions, line: (text: string) => void) {
  const { startFaults } = await import('@twilio-lab/chaos');
  const toxiproxyUrl = options.toxiproxyUrl ?? process.env.TOXIPROXY_URL ?? 'http://127.0.0.1:18474';
  line(`faults: ${scenario.faults.length} on the timeline through Toxiproxy at ${toxiproxyUrl}`);
  return startFaults(scenario.faults, { toxiproxyUrl });
}

/**
 * Which samples `bench compare` should judge. Throughput means something only where the lab,
 * not the generator, sets the pace (closed-model and max-throughput scenarios); latency means
 * something only under open-model arrivals. A scenario file mixing both gets both.
 */
function compareSamplesOptions(scenario: Scenario, calibration: Calibration | null): SampleOptions {
  const closed = scenario.scenarios.filter((s) => !s.executor.type.endsWith('arrival-rate'));
  const open = scenario.scenarios.filter((s) => s.executor.type.endsWith('arrival-rate'));
  const sendsSms = open.some((s) => s.flows.some((f) => f.flow === 'sms.send'));
  return {
    ...(calibration === null ? {} : { calibrationThroughput: calibration.requestsPerSecond }),
    ...(closed.length === 1
      ? { throughputScenario: closed[0]!.name }
      : closed.length === 0
        ? { throughputScenario: null }
        : {}),
    ...(open.length === 1
      ? { latencyScenario: open[0]!.name }
      : open.length === 0
        ? { latencyScenario: null }
        : {}),
    latencyMetric: sendsSms ? METRICS.smsAcceptDuration : METRICS.httpReqDuration,
    latencyWindowMs: 2_000,
    skipFirstSeconds: 2,
  };
}

/** Progress of the run after each window; keeps a running latency histogram (one merge per window). */
function progressTracker(plannedMs: number): (window: MetricsWindow) => BenchProgress {
  const latency = newHistogram();
  let samples = 0;
  return (window) => {
    const seconds = Math.max(0.001, (window.endMs - window.startMs) / 1000);
    let started = 0;
    let completed = 0;
    let errors = 0;
    let dropped = 0;
    for (const s of window.series) {
      if (s.type === 'counter' && s.metric === METRICS.iterations) completed += s.value;
      else if (s.type === 'counter' && s.metric === METRICS.droppedIterations) dropped += s.value;
      else if (s.type === 'rate' && s.metric === METRICS.httpReqFailed) errors += s.trues;
      else if (s.type === 'trend' && s.metric === METRICS.httpReqDuration) {
        started += s.count;
        samples += s.count;
        latency.add(histogramOf(s));
      }
    }
    return {
      elapsedMs: window.endMs,
      plannedMs,
      startedPerSec: started / seconds,
      completedPerSec: completed / seconds,
      p99Ms: samples === 0 ? null : (percentileMs(latency, 99) ?? null),
      errors,
      dropped,
    };
  };
}

async function writeReports(
  outDir: string,
  scenario: Scenario,
  summary: JsonSummary,
  result: RunResult,
  thresholds: readonly ThresholdResult[],
  checks: readonly ExtraCheck[],
  startedAt: Date,
  faultJournal: readonly { tMs: number; event: string; action?: string; target?: string }[],
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files = {
    summary: join(outDir, 'summary.json'),
    series: join(outDir, 'timeseries.ndjson'),
    html: join(outDir, 'report.html'),
    junit: join(outDir, 'junit.xml'),
  };
  const annotations: Annotation[] = [
    ...scenario.scenarios.map((s) => ({
      atMs: s.startTimeMs,
      label: `start ${s.name}`,
      kind: 'phase' as const,
    })),
    // What was really injected and reverted, and when (the journal), rather than the plan.
    ...faultJournal
      .filter((e) => e.event === 'inject' || e.event === 'revert')
      .map((e) => ({
        atMs: e.tMs,
        label: `${e.event} ${e.action ?? ''} ${e.target ?? ''}`.trim(),
        kind: 'fault' as const,
      })),
  ];
  await writeJsonSummary(files.summary, summary);
  await writeTimeSeriesNdjson(files.series, result.metrics);
  await writeHtmlReport(files.html, {
    title: `twilio-lab bench: ${scenario.name}`,
    metrics: result.metrics,
    thresholds,
    annotations,
    subtitle: [
      scenario.source,
      `started ${startedAt.toISOString()}`,
      `verdict: exit ${String(summary.extra?.exitCode)}`,
      ...checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.ok ? '' : ` (${c.message ?? ''})`}`),
    ],
  });
  await writeFile(
    files.junit,
    formatJUnit(thresholds, {
      suiteName: scenario.name,
      durationMs: summary.durationMs,
      timestamp: startedAt.toISOString(),
      extraChecks: checks,
    }),
  );
  return Object.values(files);
}
