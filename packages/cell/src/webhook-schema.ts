/**
 * The webhook outbox's tables and statements. One statement per migration keeps them
 * portable across store adapters. Rows are the durable truth: memory only mirrors what is
 * scheduled, so a restart rebuilds delivery from `webhook_outbox`.
 */
import type { Migration, SqlValue, WriteOp } from '@twilio-lab/backends';
import type { DeadLetter } from './types.js';

export const WEBHOOK_MIGRATIONS: readonly Migration[] = [
  {
    id: 'cell-webhooks-001-outbox',
    sql: `CREATE TABLE IF NOT EXISTS webhook_outbox (
  id TEXT PRIMARY KEY,
  account_sid TEXT NOT NULL,
  kind TEXT NOT NULL,
  resource_sid TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  idempotency_token TEXT NOT NULL,
  request_id TEXT,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  date_created INTEGER NOT NULL
)`,
  },
  {
    id: 'cell-webhooks-002-outbox-due',
    sql: 'CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (next_attempt_at)',
  },
  {
    id: 'cell-webhooks-003-dead-letters',
    sql: `CREATE TABLE IF NOT EXISTS webhook_dead_letters (
  id TEXT PRIMARY KEY,
  account_sid TEXT NOT NULL,
  kind TEXT NOT NULL,
  resource_sid TEXT NOT NULL,
  url TEXT NOT NULL,
  method TEXT NOT NULL,
  params TEXT NOT NULL,
  idempotency_token TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_dead INTEGER NOT NULL
)`,
  },
  {
    id: 'cell-webhooks-004-dead-letters-account',
    sql: 'CREATE INDEX IF NOT EXISTS webhook_dead_letters_account ON webhook_dead_letters (account_sid, date_dead)',
  },
];

/** One callback as held in memory and in its outbox row. */
export interface OutboxEntry {
  id: string;
  accountSid: string;
  kind: string;
  resourceSid: string;
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  idempotencyToken: string;
  requestId: string | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  dateCreated: number;
}

export interface OutboxRow {
  id: string;
  account_sid: string;
  kind: string;
  resource_sid: string;
  url: string;
  method: string;
  params: string;
  idempotency_token: string;
  request_id: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  date_created: number;
}

export type DeadLetterRow = Omit<OutboxRow, 'request_id' | 'next_attempt_at' | 'last_error'> & {
  last_error: string;
  date_dead: number;
};

const INSERT_OUTBOX = `INSERT INTO webhook_outbox (id, account_sid, kind, resource_sid, url, method, params,
  idempotency_token, request_id, attempts, next_attempt_at, last_error, date_created)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE_ATTEMPT =
  'UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?';
const DELETE_ONE = 'DELETE FROM webhook_outbox WHERE id = ?';
const INSERT_DEAD = `INSERT INTO webhook_dead_letters (id, account_sid, kind, resource_sid, url, method, params,
  idempotency_token, attempts, last_error, date_created, date_dead)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO NOTHING`;

export const SELECT_OUTBOX = 'SELECT * FROM webhook_outbox ORDER BY next_attempt_at, date_created';
export const COUNT_OUTBOX = 'SELECT COUNT(*) AS n FROM webhook_outbox';
export const COUNT_DEAD = 'SELECT COUNT(*) AS n FROM webhook_dead_letters';

/** Largest IN (…) list per statement; SQLite's default limit on host parameters is far above. */
export const MAX_IDS_PER_STATEMENT = 500;

export function insertOp(e: OutboxEntry): WriteOp {
  return {
    sql: INSERT_OUTBOX,
    params: [
      e.id,
      e.accountSid,
      e.kind,
      e.resourceSid,
      e.url,
      e.method,
      JSON.stringify(e.params),
      e.idempotencyToken,
      e.requestId,
      e.attempts,
      e.nextAttemptAt,
      e.lastError,
      e.dateCreated,
    ],
  };
}

export function attemptOp(e: OutboxEntry): WriteOp {
  return { sql: UPDATE_ATTEMPT, params: [e.attempts, e.nextAttemptAt, e.lastError, e.id] };
}

/** Moves the row to the dead letters; both ops go in one write so it is never in both or neither. */
export function deadLetterOps(e: OutboxEntry, lastError: string, at: number): WriteOp[] {
  return [
    {
      sql: INSERT_DEAD,
      params: [
        e.id,
        e.accountSid,
        e.kind,
        e.resourceSid,
        e.url,
        e.method,
        JSON.stringify(e.params),
        e.idempotencyToken,
        e.attempts,
        lastError,
        e.dateCreated,
        at,
      ],
    },
    { sql: DELETE_ONE, params: [e.id] },
  ];
}

function placeholders(n: number): string {
  return n === 1 ? '?' : '?' + ', ?'.repeat(n - 1);
}

/** Deletes of delivered rows, batched into as few statements as the id count allows. */
export function deleteOps(ids: readonly string[]): WriteOp[] {
  const ops: WriteOp[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + MAX_IDS_PER_STATEMENT);
    ops.push({
      sql: `DELETE FROM webhook_outbox WHERE id IN (${placeholders(chunk.length)})`,
      params: chunk,
    });
  }
  return ops;
}

export function selectIdsSql(count: number): string {
  return `SELECT id FROM webhook_outbox WHERE id IN (${placeholders(count)})`;
}

export function deadLettersQuery(filter: { accountSid?: string; limit?: number }): {
  sql: string;
  params: SqlValue[];
} {
  const limit = Math.max(1, Math.min(filter.limit ?? 1000, 10_000));
  if (filter.accountSid !== undefined) {
    return {
      sql: 'SELECT * FROM webhook_dead_letters WHERE account_sid = ? ORDER BY date_dead DESC, id LIMIT ?',
      params: [filter.accountSid, limit],
    };
  }
  return { sql: 'SELECT * FROM webhook_dead_letters ORDER BY date_dead DESC, id LIMIT ?', params: [limit] };
}

function parseParams(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, string>;
  } catch {
    // fall through: a damaged row still gets delivered/dead-lettered, with no params
  }
  return {};
}

function asMethod(value: string): 'GET' | 'POST' {
  return value === 'GET' ? 'GET' : 'POST';
}

export function entryFromRow(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    accountSid: row.account_sid,
    kind: row.kind,
    resourceSid: row.resource_sid,
    url: row.url,
    method: asMethod(row.method),
    params: parseParams(row.params),
    idempotencyToken: row.idempotency_token,
    requestId: row.request_id,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    dateCreated: Number(row.date_created),
  };
}

export function deadLetterFromRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    accountSid: row.account_sid,
    kind: row.kind,
    resourceSid: row.resource_sid,
    url: row.url,
    method: asMethod(row.method),
    params: parseParams(row.params),
    idempotencyToken: row.idempotency_token,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    dateCreated: Number(row.date_created),
  };
}
