import { writeFile } from 'node:fs/promises';
import type { RunMetrics } from '../metrics.js';
import type { ThresholdResult } from '../budgets/evaluate.js';
import { runSamplesFromMetrics } from '../compare/samples.js';
import type { RunSamples, SampleOptions } from '../compare/samples.js';
import { runDurationMs, seriesLabel, summaryRows } from './stats.js';
import type { SummaryRow } from './stats.js';

export interface JsonSummaryInput {
  /** The scenario's name. */
  scenario: string;
  /** ISO time the run started. */
  startedAt: string;
  metrics: RunMetrics;
  thresholds?: readonly ThresholdResult[];
  /** How to extract compare samples (and the calibration throughput, when one was measured). */
  samples?: SampleOptions;
  /** Anything else the run wants kept (reconciliation, rate attainment, exit code, …). */
  extra?: Record<string, unknown>;
}

export interface JsonSummary {
  /** Bumped when the layout changes incompatibly. */
  version: 1;
  scenario: string;
  startedAt: string;
  durationMs: number;
  /** Every threshold passed. */
  ok: boolean;
  /** Every whole-run series, with its statistics and (trends) its encoded HDR histogram. */
  metrics: (SummaryRow & { histogram?: string })[];
  thresholds: ThresholdResult[];
  /** Input to `bench compare` when this run is the baseline or the candidate. */
  samples: RunSamples;
  extra?: Record<string, unknown>;
}

export function buildJsonSummary(input: JsonSummaryInput): JsonSummary {
  const durationMs = runDurationMs(input.metrics.windows);
  const histograms = new Map<string, string>();
  const rows = summaryRows(input.metrics.total, durationMs);
  for (const series of input.metrics.total) {
    if (series.type === 'trend') histograms.set(seriesLabel(series.metric, series.tags), series.histogram);
  }
  const thresholds = [...(input.thresholds ?? [])];
  const summary: JsonSummary = {
    version: 1,
    scenario: input.scenario,
    startedAt: input.startedAt,
    durationMs,
    ok: thresholds.every((t) => t.ok),
    metrics: rows.map((row) => {
      const histogram = histograms.get(row.label);
      return histogram === undefined ? row : { ...row, histogram };
    }),
    thresholds,
    samples: runSamplesFromMetrics(input.metrics, input.samples),
  };
  if (input.extra !== undefined) summary.extra = input.extra;
  return summary;
}

export async function writeJsonSummary(path: string, summary: JsonSummary): Promise<void> {
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}
