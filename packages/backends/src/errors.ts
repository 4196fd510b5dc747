/**
 * The backends' error catalogue. Every implementation (embedded or real engine) rejects with
 * these codes so callers can branch on `code` without knowing which engine is underneath.
 */

export const BACKEND_ERROR_CODES = [
  /** The store was closed; nothing more can be read or written. */
  'STORE_CLOSED',
  /** A write broke a constraint (unique, primary key, foreign key, not null, check). */
  'STORE_CONSTRAINT',
  /** Any other failure of a statement (syntax, unknown table, I/O). */
  'STORE_QUERY_FAILED',
  /** A migration failed; it was rolled back and the ones after it were not run. */
  'STORE_MIGRATION_FAILED',
  /**
   * The engine behind the store cannot be reached (connection refused or lost, server shutting
   * down). Callers answer 503 rather than accept what they cannot keep; the adapter reconnects.
   */
  'STORE_UNAVAILABLE',
  'QUEUE_CLOSED',
  /** The consumer group already has a live subscription on that topic. */
  'QUEUE_GROUP_ACTIVE',
  /** The broker cannot be reached; publishing failed and nothing was acknowledged. */
  'QUEUE_UNAVAILABLE',
  'CACHE_CLOSED',
  /** incr on a key whose value is not an integer. */
  'CACHE_NOT_INTEGER',
  /** The cache server cannot be reached. */
  'CACHE_UNAVAILABLE',
  'INVALID_ARGUMENT',
] as const;

export type BackendErrorCode = (typeof BACKEND_ERROR_CODES)[number];

export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code: BackendErrorCode;

  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isBackendError(value: unknown, code?: BackendErrorCode): value is BackendError {
  return value instanceof BackendError && (code === undefined || value.code === code);
}

const UNAVAILABLE: ReadonlySet<BackendErrorCode> = new Set([
  'STORE_UNAVAILABLE',
  'QUEUE_UNAVAILABLE',
  'CACHE_UNAVAILABLE',
]);

/** True when the error says an engine is unreachable (a retry later may succeed), not that the request was wrong. */
export function isBackendUnavailable(value: unknown): boolean {
  return value instanceof BackendError && UNAVAILABLE.has(value.code);
}
