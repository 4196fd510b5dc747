/** What the bench commands print and read: progress lines, verdicts, compare tables, summaries. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchOutcome, BenchProgress, CompareResult, JsonSummary } from '@twilio-lab/bench-engine';
import type { LabInfo, LabOptions, RunningLab } from '@twilio-lab/lab';
import { CliError } from './errors.js';

const RUN_JS = fileURLToPath(new URL('../bin/run.js', import.meta.url));

/**
 * `twilio-lab up --ephemeral --port 0 --json` in a child process, as the RunningLab the bench
 * drives; close() sends SIGTERM (the lab drains) and waits for the exit.
 */
export async function startLabProcess(options: LabOptions): Promise<RunningLab> {
  const args = [
    RUN_JS,
    'up',
    '--json',
    '--ephemeral',
    '--port',
    String(options.port ?? 0),
    '--log',
    'silent',
  ];
  if (options.profile !== undefined) args.push('--profile', options.profile);
  if (options.rateLimit !== undefined) args.push('--rate-limit', String(options.rateLimit.ratePerSec));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const info = await new Promise<LabInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lab did not start within 60 s: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as LabInfo);
      } catch {
        reject(new Error(`the lab printed no LabInfo: ${line}`));
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`the lab exited with ${code} before it was up: ${stderr}`)),
    );
  });
  return {
    info,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Default report folder: one per run, named after the scenario and the start time. */
export function benchOutDir(scenarioName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return join('.lab', 'bench', `${scenarioName.replace(/[^A-Za-z0-9_-]+/g, '_')}-${stamp}`);
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One line: phase, offered vs achieved rate, p99 so far, errors, ETA. */
export function formatProgress(name: string, p: BenchProgress): string {
  const eta = Math.max(0, p.plannedMs - p.elapsedMs);
  return (
    `${name} ${clock(p.elapsedMs)}/${clock(p.plannedMs)}  ` +
    `started ${p.startedPerSec.toFixed(0)}/s  completed ${p.completedPerSec.toFixed(0)}/s  ` +
    `p99 ${p.p99Ms === null ? '-' : `${p.p99Ms.toFixed(1)} ms`}  errors ${p.errors}  dropped ${p.dropped}  ` +
    `eta ${clock(eta)}`
  );
}

export function verdictLines(outcome: BenchOutcome, compared?: CompareResult): string[] {
  const lines = outcome.checks.map(
    (c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.ok ? '' : `: ${c.message ?? ''}`}`,
  );
  if (outcome.calibration !== null) {
    lines.push(`calibration (raw uWS, same job): ${outcome.calibration.requestsPerSecond.toFixed(0)} req/s`);
  }
  if (compared !== undefined) lines.push('', formatCompare(compared));
  const verdict =
    outcome.exitCode === 0
      ? compared?.verdict === 'fail'
        ? 'FAILED: regression against the baseline (exit 99)'
        : 'PASSED'
      : outcome.exitCode === 105
        ? 'ABORTED (exit 105)'
        : 'FAILED: see the ✗ lines above (exit 99)';
  lines.push('', verdict);
  return lines;
}

export function formatCompare(result: CompareResult): string {
  const rows = result.metrics.map(
    (m) =>
      `  ${m.metric.padEnd(12)} baseline ${m.baselineMedian.toPrecision(4).padStart(10)}  ` +
      `current ${m.currentMedian.toPrecision(4).padStart(10)}  change ${(m.relativeChange * 100).toFixed(1).padStart(6)}%  ` +
      `p ${m.pValue.toFixed(4)}  ${m.verdict}`,
  );
  return [
    `compare with baseline: ${result.verdict.toUpperCase()}${result.normalised ? ' (throughput normalised by calibration)' : ''}`,
    ...rows,
    ...result.reasons.map((r) => `  - ${r}`),
  ].join('\n');
}

export async function readSummary(path: string): Promise<JsonSummary> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new CliError(
      'BENCH_SUMMARY_INVALID',
      `${path} is not a readable bench summary (${err instanceof Error ? err.message : String(err)}); ` +
        'give the summary.json a `twilio-lab bench` run wrote.',
      { cause: err },
    );
  }
  const summary = parsed as Partial<JsonSummary>;
  if (summary.version !== 1 || !Array.isArray(summary.samples?.throughputPerSecond)) {
    throw new CliError(
      'BENCH_SUMMARY_INVALID',
      `${path} has no bench samples (version 1 summary with samples.throughputPerSecond expected).`,
    );
  }
  return summary as JsonSummary;
}
