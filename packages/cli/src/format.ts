/** Human output of each command: plain aligned text, no colours (it ends up in CI logs). */
import type { LabInfo } from '@twilio-lab/lab';
import type { CarrierInfo, DeadLetter, HandsetMessage, LabStatus } from './lab-api.js';

/** Columns padded to their widest cell; the last column is not padded. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatLabInfo(info: LabInfo): string {
  const carriers =
    info.carriers.length === 0
      ? ['  (none)']
      : info.carriers.map((c) => `  ${c.name.padEnd(16)} ${c.prefixes.join(',').padEnd(16)} ${c.address}`);
  return [
    `twilio-lab is up at ${info.baseUrl} (pid ${info.pid})`,
    '',
    `  Account SID   ${info.accountSid}`,
    `  Auth token    ${info.authToken}`,
    `  Admin token   ${info.adminToken}`,
    `  Data          ${info.dataDir === null ? 'in memory (--ephemeral): nothing survives a restart' : info.dataDir}`,
    ...(info.engines === null
      ? []
      : [
          `  PostgreSQL    ${info.engines.databaseUrl}`,
          `  Kafka         ${info.engines.kafkaBrokers.join(',')}`,
          `  Redis         ${info.engines.redisUrl}`,
        ]),
    '',
    'Carriers',
    ...carriers,
    '',
    'Point your app at the lab:',
    `  export TWILIO_ACCOUNT_SID=${info.accountSid}`,
    `  export TWILIO_AUTH_TOKEN=${info.authToken}`,
    `  export TWILIO_LAB_URL=${info.baseUrl}`,
    `  export TWILIO_LAB_ADMIN_TOKEN=${info.adminToken}`,
    '',
    "  import { labClient } from '@twilio-lab/client';",
    `  const client = labClient('${info.baseUrl}', process.env.TWILIO_ACCOUNT_SID, process.env.TWILIO_AUTH_TOKEN);`,
    '',
    'Press Ctrl-C to stop (in-flight work drains for up to 10 s; a second Ctrl-C stops at once).',
  ].join('\n');
}

// Message states in pipeline order, so the table reads like the lifecycle.
const MESSAGE_STATES = [
  'accepted',
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'received',
];

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatStatus(status: LabStatus, baseUrl: string): string {
  const known = MESSAGE_STATES.filter((s) => s in status.messages);
  const others = Object.keys(status.messages).filter((s) => s !== 'total' && !MESSAGE_STATES.includes(s));
  const rows = [...known, ...others].map((s) => [s, String(status.messages[s] ?? 0)]);
  if ('total' in status.messages) rows.push(['total', String(status.messages.total ?? 0)]);
  return [
    `Lab ${baseUrl}  pid ${status.pid}  up ${status.uptime_s} s  RSS ${megabytes(status.rss_bytes)}`,
    '',
    renderTable(['MESSAGES', 'COUNT'], rows),
    '',
    `Webhooks pending ${status.webhooks.pending}, dead letters ${status.webhooks.dead_letters}; queue lag ${status.queue_lag}`,
  ].join('\n');
}

export function formatInbox(e164: string, messages: readonly HandsetMessage[]): string {
  if (messages.length === 0) return `No messages for ${e164}.`;
  return renderTable(
    ['DATE', 'DIRECTION', 'FROM', 'TO', 'CARRIER', 'BODY'],
    messages.map((m) => [
      m.date,
      m.direction,
      m.from,
      m.to,
      m.carrier ?? '-',
      m.body + (m.media_urls.length > 0 ? ` [+${m.media_urls.length} media]` : ''),
    ]),
  );
}

export function formatSent(message: HandsetMessage): string {
  const via = message.carrier === null ? '' : ` via ${message.carrier}`;
  const sid = message.message_sid === null ? '' : ` (${message.message_sid})`;
  return `Sent from ${message.from} to ${message.to}${via}${sid}.`;
}

export function formatDeadLetters(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return 'No dead letters: every webhook was delivered.';
  return renderTable(
    ['DATE', 'ACCOUNT', 'KIND', 'RESOURCE', 'ATTEMPTS', 'URL', 'LAST ERROR'],
    letters.map((d) => [
      d.date_created,
      d.account_sid,
      d.kind,
      d.resource_sid,
      String(d.attempts),
      `${d.method} ${d.url}`,
      d.last_error ?? '-',
    ]),
  );
}

export function formatCarriers(carriers: readonly CarrierInfo[]): string {
  if (carriers.length === 0) return 'No carriers are configured.';
  return renderTable(
    ['NAME', 'REGION', 'PREFIXES', 'BOUND', 'SUBMITTED', 'DELIVERED', 'FAILED', 'THROTTLED', 'ADDRESS'],
    carriers.map((c) => [
      c.name,
      c.region,
      c.prefixes.join(','),
      String(c.bound),
      String(c.submitted),
      String(c.delivered),
      String(c.failed),
      String(c.throttled),
      c.address ?? '-',
    ]),
  );
}
