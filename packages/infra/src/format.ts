/** Text the CLI prints for reports and statuses: one line per service, env lines to export. */
import type { InfraEnv, ServiceReport, ServiceStatus } from './types.js';

export function formatReports(reports: readonly ServiceReport<string>[]): string {
  return reports.map((r) => r.message).join('\n');
}

/** `export NAME='value'` lines a shell can eval. */
export function formatEnv(env: InfraEnv): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${String(value)}'`)
    .join('\n');
}

export function formatStatuses(statuses: readonly ServiceStatus[]): string {
  const rows = statuses.map((s) => [
    s.service,
    s.installed ? 'installed' : 'not installed',
    s.running
      ? 'running'
      : s.health === 'foreign'
        ? 'port taken by something else'
        : s.health === 'starting'
          ? 'starting'
          : 'stopped',
    s.pid === null ? (s.running ? 'started elsewhere' : '-') : `pid ${s.pid}`,
    s.address,
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}
