import type { TopologyStatus } from './launch.js';
import type { TopologyState } from './state.js';

/** Plain-text table (no colours): the CLI prints it, tests read it. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** What `up -t` prints once everything is ready: what runs where, and the lines a user needs. */
export function formatTopologyStarted(state: TopologyState): string {
  const cellOf = new Map(state.cells.map((c) => [c.cellId, c]));
  const rows = state.processes.map((p) => {
    const cell = cellOf.get(p.name);
    return [
      p.name,
      p.kind,
      cell?.region ?? 'global',
      String(p.pid ?? '-'),
      p.name === 'gateway' ? state.gateway.url : (cell?.url ?? '-'),
      cell === undefined ? '-' : `${cell.backends}, capacity ${cell.capacity}`,
      p.logFile,
    ];
  });
  return [
    `Topology '${state.topology}' is up (supervisor pid ${state.supervisorPid}, data in ${state.dataDir})`,
    '',
    renderTable(['PROCESS', 'KIND', 'REGION', 'PID', 'ADDRESS', 'BACKENDS', 'LOG'], rows),
    '',
    `  export TWILIO_LAB_URL=${state.gateway.url}`,
    `  export TWILIO_ACCOUNT_SID=${state.accountSid}`,
    `  export TWILIO_AUTH_TOKEN=${state.authToken}`,
    `  export TWILIO_LAB_ADMIN_TOKEN=${state.adminToken}`,
    '',
    'Ctrl-C (or `twilio-lab down`) drains the gateway, then stops the cells.',
  ].join('\n');
}

/** `twilio-lab status` in topology mode. */
export function formatTopologyStatus(status: TopologyStatus): string {
  const processes = renderTable(
    ['PROCESS', 'KIND', 'PID', 'PORT', 'STATE', 'HEALTH', 'RESTARTS'],
    status.processes.map((p) => [
      p.name,
      p.kind,
      String(p.pid ?? '-'),
      String(p.port ?? '-'),
      p.alive ? p.state : 'dead',
      p.health,
      String(p.restarts),
    ]),
  );
  const cells = renderTable(
    ['CELL', 'REGION', 'CAPACITY', 'ACCOUNTS', 'STATUS'],
    status.cells.map((c) => [
      c.cellId,
      c.region,
      String(c.capacity),
      c.accounts === null ? '?' : String(c.accounts),
      c.status,
    ]),
  );
  const lab = status.lab as {
    messages?: Record<string, number>;
    webhooks?: { pending: number; dead_letters: number };
  } | null;
  const totals =
    lab === null
      ? 'The gateway did not answer /lab/v1/Status.'
      : `Messages total ${lab.messages?.total ?? 0}, delivered ${lab.messages?.delivered ?? 0}; webhooks pending ${lab.webhooks?.pending ?? 0}, dead letters ${lab.webhooks?.dead_letters ?? 0}`;
  return [
    `Topology '${status.topology}' at ${status.gatewayUrl}  supervisor pid ${status.supervisorPid}${status.supervisorAlive ? '' : ' (NOT RUNNING)'}`,
    '',
    processes,
    '',
    cells,
    '',
    totals,
  ].join('\n');
}
