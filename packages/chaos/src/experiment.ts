/**
 * runExperiment: steady state before → faults (with checks every interval while they are
 * active) → ALWAYS rollback → steady state after, all in the journal, and a report saying what
 * the hypothesis was, what was measured and whether it held.
 */
import { ChaosError, errorMessage } from './errors.js';
import { timelineEndMs } from './faults.js';
import { Journal } from './journal.js';
import { runProbe, substitute, variablesOf, type ProbeContext } from './probes.js';
import { prepareFaults, startFaults, type FaultContext, type FaultTimeline } from './timeline.js';
import type {
  Experiment,
  JournalEntry,
  Phase,
  ProbeCallback,
  ProbeResult,
  ProbeSpec,
  ProcessRegistry,
  RollbackReport,
} from './types.js';

export interface RunExperimentOptions {
  toxiproxyUrl?: string;
  processes?: ProcessRegistry;
  /** Callbacks for `custom:` probes, by name (bench budgets, test checks). */
  probes?: Record<string, ProbeCallback>;
  /** Aborting it (Ctrl-C) stops the run: faults are reverted at once, the report says 'aborted'. */
  signal?: AbortSignal;
  /** NDJSON journal file; in memory only when absent. */
  journalPath?: string;
  /** ${NAME} values; they win over the environment, which wins over the file's `vars`. */
  vars?: Record<string, string>;
  /** Default: PROMETHEUS_URL from the environment. */
  prometheusUrl?: string;
  controlTimeoutMs?: number;
  crashGuard?: boolean;
  resetFallback?: boolean;
  /** Hears every journal entry as it is written (a harness starts its load on the first 'inject'). */
  onJournal?: (entry: JournalEntry) => void;
  netemSystem?: FaultContext['netemSystem'];
}

export type Outcome = 'held' | 'deviated' | 'aborted' | 'not-started';

export interface ProbeSummary {
  probe: string;
  phase: Phase;
  tolerance?: string;
  checks: number;
  failed: number;
  /** During checks that straddled a change of fault state, or ran with no fault active. */
  inconclusive: number;
  skipped: number;
  /** Numeric values seen (for the report's min/max). */
  min?: number;
  max?: number;
  last?: number | boolean | string;
  verdict: 'held' | 'deviated' | 'not-measured' | 'skipped';
  detail?: string;
}

export interface ExperimentReport {
  experiment: string;
  source: string;
  hypothesis: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  outcome: Outcome;
  held: boolean;
  /** Why it stopped early / did not start. */
  reason?: string;
  summaries: ProbeSummary[];
  results: ProbeResult[];
  /** inject / revert / error / rollback entries of the journal. */
  faults: JournalEntry[];
  rollback: RollbackReport;
  journalPath?: string;
}

const NO_ROLLBACK: RollbackReport = { undone: [], ok: true, usedResetFallback: false };

export async function runExperiment(
  experiment: Experiment,
  options: RunExperimentOptions = {},
): Promise<ExperimentReport> {
  const signal = options.signal ?? new AbortController().signal;
  const vars = resolveVars(experiment, options.vars);
  const journal = new Journal({
    ...(options.journalPath === undefined ? {} : { path: options.journalPath }),
    ...(options.onJournal === undefined ? {} : { onEntry: options.onJournal }),
  });
  const faultCtx: FaultContext = {
    journal,
    startedAt: journal.startedAt,
    ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
    ...(options.processes === undefined ? {} : { processes: options.processes }),
    ...(options.controlTimeoutMs === undefined ? {} : { controlTimeoutMs: options.controlTimeoutMs }),
    ...(options.crashGuard === undefined ? {} : { crashGuard: options.crashGuard }),
    ...(options.resetFallback === undefined ? {} : { resetFallback: options.resetFallback }),
    ...(options.netemSystem === undefined ? {} : { netemSystem: options.netemSystem }),
  };
  // Every target must exist before the steady state is even measured: a missing link is a setup error.
  await prepareFaults(experiment.faults, faultCtx);

  const prometheusUrl = options.prometheusUrl ?? nonEmpty(process.env.PROMETHEUS_URL);
  const probeCtx: ProbeContext = {
    vars,
    callbacks: options.probes ?? {},
    signal,
    startedAt: journal.startedAt,
    ...(prometheusUrl === undefined ? {} : { prometheusUrl }),
  };
  const results: ProbeResult[] = [];
  const record = (result: ProbeResult): void => {
    results.push(result);
    journal.record({ event: 'probe', probe: result });
  };
  const interval = experiment.hypothesis.intervalMs;
  journal.record({ event: 'run-start', detail: `${experiment.name}: ${experiment.hypothesis.title}` });

  let outcome: Outcome = 'held';
  let reason: string | undefined;
  let rollback = NO_ROLLBACK;

  const before = await checkPhase(experiment.hypothesis.probes, 'before', probeCtx, interval, record);
  if (signal.aborted) {
    outcome = 'aborted';
    reason = 'stopped before any fault was injected';
  } else if (before.some((r) => r.status === 'failed')) {
    outcome = 'not-started';
    reason = `the steady state did not hold before the faults (${failedNames(before)}); nothing was injected`;
  } else {
    let timeline: FaultTimeline | undefined;
    try {
      timeline = await startFaults(experiment.faults, faultCtx);
      const abort = await during(experiment, timeline, probeCtx, record);
      if (abort !== undefined) {
        outcome = 'aborted';
        reason = abort;
        journal.record({ event: 'abort', detail: abort });
      }
    } finally {
      // ALWAYS: whatever happened above (an abort, a probe throwing, a bug), revert.
      if (timeline !== undefined) rollback = await timeline.stop();
    }
    if (timeline.errors.length > 0 && outcome === 'held') {
      outcome = 'deviated';
      reason = `fault errors: ${timeline.errors.map((e) => e.message).join('; ')}`;
    }
    if (!signal.aborted) {
      await checkPhase(experiment.hypothesis.probes, 'after', probeCtx, interval, record);
    }
  }

  const summaries = summarise(experiment.hypothesis.probes, results);
  if (outcome === 'held' && summaries.some((s) => s.verdict === 'deviated')) {
    outcome = 'deviated';
    reason = `deviated: ${summaries
      .filter((s) => s.verdict === 'deviated')
      .map((s) => `${s.probe} (${s.phase})`)
      .join(', ')}`;
  }
  if (outcome === 'held' && !rollback.ok) {
    outcome = 'deviated';
    reason = 'the rollback did not revert everything';
  }
  const ended = Date.now();
  journal.record({ event: 'run-end', detail: `${outcome}${reason === undefined ? '' : `: ${reason}`}` });
  const report: ExperimentReport = {
    experiment: experiment.name,
    source: experiment.source,
    hypothesis: experiment.hypothesis.title,
    startedAt: new Date(journal.startedAt).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationMs: ended - journal.startedAt,
    outcome,
    held: outcome === 'held',
    summaries,
    results,
    faults: journal.entries.filter(
      (e) => e.event === 'inject' || e.event === 'revert' || e.event === 'error' || e.event === 'rollback',
    ),
    rollback,
  };
  if (reason !== undefined) report.reason = reason;
  if (journal.path !== undefined) report.journalPath = journal.path;
  return report;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The file's vars, overridden by the environment, overridden by the caller; every ${NAME} must resolve. */
function resolveVars(
  experiment: Experiment,
  given: Record<string, string> | undefined,
): Record<string, string> {
  const vars: Record<string, string> = { ...experiment.vars };
  for (const probe of experiment.hypothesis.probes) {
    for (const name of variablesOf(probe)) {
      const fromEnv = process.env[name];
      if (fromEnv !== undefined && fromEnv !== '') vars[name] = fromEnv;
    }
  }
  Object.assign(vars, given ?? {});
  for (const probe of experiment.hypothesis.probes) {
    for (const name of variablesOf(probe)) substitute(`\${${name}}`, vars, `probe ${probe.name}`);
  }
  return vars;
}

function failedNames(results: readonly ProbeResult[]): string {
  return [
    ...new Set(
      results
        .filter((r) => r.status === 'failed')
        .map((r) => `${r.probe}${r.detail === undefined ? '' : `: ${r.detail}`}`),
    ),
  ].join('; ');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Before/after: each probe once, or retried every interval until it holds for up to its `until`. */
async function checkPhase(
  probes: readonly ProbeSpec[],
  phase: 'before' | 'after',
  ctx: ProbeContext,
  intervalMs: number,
  record: (r: ProbeResult) => void,
): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const probe of probes) {
    if (probe.phases[phase] === undefined) continue;
    const deadline = Date.now() + (probe.untilMs ?? 0);
    let result = await runProbe(probe, phase, ctx);
    while (result.status === 'failed' && Date.now() < deadline && !ctx.signal.aborted) {
      await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())), ctx.signal);
      result = await runProbe(probe, phase, ctx);
    }
    if (probe.untilMs !== undefined)
      result.detail = `${result.detail === undefined ? '' : `${result.detail}; `}waited ${Date.now() - (deadline - probe.untilMs)} ms`;
    record(result);
    out.push(result);
  }
  return out;
}

/**
 * The method: runs until every fault has been injected and reverted (and `duration` passed),
 * checking the `during` probes every interval. A check whose window saw a change of fault state,
 * or no fault at all, is inconclusive: it measured something other than "under fault".
 * Returns why it aborted, if it did.
 */
async function during(
  experiment: Experiment,
  timeline: FaultTimeline,
  ctx: ProbeContext,
  record: (r: ProbeResult) => void,
): Promise<string | undefined> {
  const probes = experiment.hypothesis.probes.filter((p) => p.phases.during !== undefined);
  const endAt = ctx.startedAt + Math.max(experiment.durationMs ?? 0, timelineEndMs(experiment.faults));
  let over = false;
  const methodOver = Promise.all([timeline.done, sleep(Math.max(0, endAt - Date.now()), ctx.signal)]).then(
    () => {
      over = true;
    },
  );
  const wake = new AbortController();
  void methodOver.then(() => wake.abort());
  const stopOn = AbortSignal.any([ctx.signal, wake.signal]);
  // The first check waits for the first injection to land (checks are about "under fault").
  while (timeline.activeCount === 0 && !over && !stopOn.aborted) await sleep(20, stopOn);
  while (!over && !ctx.signal.aborted) {
    for (const probe of probes) {
      if (over || ctx.signal.aborted) break;
      const epoch = timeline.epoch;
      const active = timeline.activeCount > 0;
      let result: ProbeResult;
      try {
        result = await runProbe(probe, 'during', ctx);
      } catch (err) {
        return `probe ${probe.name} could not run: ${errorMessage(err)}`;
      }
      if (result.status !== 'skipped' && (!active || timeline.epoch !== epoch || over)) {
        result.detail = `${result.detail === undefined ? '' : `${result.detail}; `}${active ? 'fault state changed during the check' : 'no fault active'}`;
        result.status = 'inconclusive';
      }
      record(result);
      if (result.status === 'failed' && probe.abortOnFail) {
        return `probe ${probe.name} failed while faults were active (abortOnFail): ${result.detail ?? `value ${String(result.value)}`}`;
      }
    }
    await sleep(experiment.hypothesis.intervalMs, stopOn);
  }
  if (ctx.signal.aborted) return 'stopped by the user (signal)';
  await methodOver;
  return undefined;
}

function summarise(probes: readonly ProbeSpec[], results: readonly ProbeResult[]): ProbeSummary[] {
  const summaries: ProbeSummary[] = [];
  for (const probe of probes) {
    for (const phase of ['before', 'during', 'after'] as const) {
      if (probe.phases[phase] === undefined) continue;
      const mine = results.filter((r) => r.probe === probe.name && r.phase === phase);
      const numbers = mine
        .filter((r) => r.status !== 'inconclusive' && typeof r.value === 'number')
        .map((r) => r.value as number);
      const failed = mine.filter((r) => r.status === 'failed');
      const judged = mine.filter((r) => r.status === 'ok' || r.status === 'failed');
      const summary: ProbeSummary = {
        probe: probe.name,
        phase,
        checks: mine.length,
        failed: failed.length,
        inconclusive: mine.filter((r) => r.status === 'inconclusive').length,
        skipped: mine.filter((r) => r.status === 'skipped').length,
        verdict:
          failed.length > 0
            ? 'deviated'
            : judged.length > 0
              ? 'held'
              : mine.length > 0 && mine.every((r) => r.status === 'skipped')
                ? 'skipped'
                : 'not-measured',
      };
      const tolerance = mine[0]?.tolerance;
      if (tolerance !== undefined) summary.tolerance = tolerance;
      if (numbers.length > 0) {
        summary.min = Math.min(...numbers);
        summary.max = Math.max(...numbers);
      }
      const last = mine[mine.length - 1];
      if (last?.value !== undefined) summary.last = last.value;
      const detail = failed[0]?.detail ?? (summary.verdict === 'skipped' ? mine[0]?.detail : undefined);
      if (detail !== undefined) summary.detail = detail;
      summaries.push(summary);
    }
  }
  return summaries;
}

export { ChaosError };
