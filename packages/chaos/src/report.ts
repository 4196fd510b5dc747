/** The experiment report for people: the hypothesis, what was measured per phase, whether it held. */
import { formatMs } from './duration.js';
import type { ExperimentReport, ProbeSummary } from './experiment.js';

const VERDICT: Readonly<Record<ProbeSummary['verdict'], string>> = {
  held: 'held',
  deviated: 'DEVIATED',
  'not-measured': 'not measured',
  skipped: 'skipped',
};

function show(value: number | boolean | string | undefined): string {
  if (value === undefined) return '-';
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : String(value);
}

function measured(s: ProbeSummary): string {
  if (s.min === undefined || s.max === undefined) return show(s.last);
  return s.min === s.max ? show(s.min) : `${show(s.min)}..${show(s.max)}`;
}

export function formatExperimentReport(report: ExperimentReport): string {
  const lines: string[] = [];
  lines.push(`Experiment ${report.experiment} (${report.source})`);
  lines.push(`Hypothesis: ${report.hypothesis}`);
  lines.push('');
  lines.push('Faults:');
  for (const entry of report.faults) {
    const at = `+${formatMs(entry.tMs)}`.padEnd(9);
    const what =
      entry.fault === undefined ? '' : `#${entry.fault} ${entry.action ?? ''} ${entry.target ?? ''}`;
    const resolved = entry.resolved === undefined ? '' : ` -> ${entry.resolved.join(', ')}`;
    lines.push(
      `  ${at}${entry.event.padEnd(9)}${what}${resolved}${entry.detail === undefined ? '' : `  ${entry.detail}`}`,
    );
  }
  if (report.summaries.length > 0) {
    lines.push('');
    lines.push('Steady state:');
    const rows = report.summaries.map((s) => [
      s.probe,
      s.phase,
      s.tolerance ?? '(own check)',
      measured(s),
      `${s.checks}${s.inconclusive > 0 ? ` (${s.inconclusive} inconclusive)` : ''}${s.failed > 0 ? ` (${s.failed} failed)` : ''}`,
      VERDICT[s.verdict] + (s.detail === undefined || s.verdict === 'held' ? '' : `: ${s.detail}`),
    ]);
    const header = ['probe', 'phase', 'tolerance', 'measured', 'checks', 'verdict'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const fmt = (cells: string[]): string =>
      `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}`;
    lines.push(fmt(header));
    for (const row of rows) lines.push(fmt(row));
  }
  lines.push('');
  const rollback =
    report.rollback.undone.length === 0
      ? 'nothing left to revert'
      : `${report.rollback.undone.filter((u) => u.ok).length}/${report.rollback.undone.length} reverted`;
  lines.push(
    `Rollback: ${report.rollback.ok ? 'ok' : 'INCOMPLETE'} (${rollback}${report.rollback.usedResetFallback ? ', Toxiproxy reset used' : ''})`,
  );
  for (const u of report.rollback.undone.filter((x) => !x.ok))
    lines.push(`  FAILED ${u.what}: ${u.error ?? ''}`);
  lines.push(
    `Result: ${report.held ? 'HELD' : report.outcome.toUpperCase()}${report.reason === undefined ? '' : ` (${report.reason})`} in ${formatMs(report.durationMs)}`,
  );
  if (report.journalPath !== undefined) lines.push(`Journal: ${report.journalPath}`);
  return lines.join('\n');
}
