/**
 * PostgreSQL failures → the backends' error catalogue. SQLSTATE class 23 (integrity
 * constraint) is STORE_CONSTRAINT; failures that say the server cannot be reached (refused or
 * lost connection, shutdown) are STORE_UNAVAILABLE, so an API answers 503 instead of 500;
 * everything else is STORE_QUERY_FAILED.
 */
import pg from 'pg';
import { BackendError } from '../errors.js';

export type FailureKind =
  /** The connection is gone or the server refuses work: nothing more runs on this client. */
  | 'connection'
  /** Deadlock or serialization failure: not the statement's fault, running it again can work. */
  | 'retry'
  /** The statement itself failed (constraint, syntax, unknown table…). */
  | 'statement';

// Connection exceptions (08), operator intervention (57P01-03: shutdown, crash, starting up),
// too many connections (53300), and read-only / recovery (25006 on a demoted primary).
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);

export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof pg.DatabaseError)) {
    // Socket errors (ECONNREFUSED, ECONNRESET, EPIPE), "Connection terminated unexpectedly",
    // client errors after the connection broke: none comes from the server's SQL layer.
    return 'connection';
  }
  const code = error.code ?? '';
  if (code.startsWith('08') || CONNECTION_SQLSTATES.has(code)) return 'connection';
  if (code.startsWith('40')) return 'retry';
  return 'statement';
}

export function storeError(error: unknown, context: string): BackendError {
  if (error instanceof BackendError) return error;
  const message = messageOf(error);
  if (classifyFailure(error) === 'connection') {
    return new BackendError('STORE_UNAVAILABLE', `${context}: PostgreSQL is unreachable (${message})`, {
      cause: error,
    });
  }
  const code = (error as { code?: string }).code ?? '';
  return new BackendError(
    code.startsWith('23') ? 'STORE_CONSTRAINT' : 'STORE_QUERY_FAILED',
    `${context}: ${message}${code ? ` (SQLSTATE ${code})` : ''}`,
    { cause: error },
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // An AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) has an empty message.
    if (error.message) return error.message;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
    return error.name;
  }
  return String(error);
}

export function closedError(): BackendError {
  return new BackendError('STORE_CLOSED', 'the store is closed');
}
