/** Operator-facing failures of the metrics package (programming or configuration errors). */
export type MetricsErrorCode =
  | 'METRICS_INVALID_NAME'
  | 'METRICS_INVALID_LABELS'
  | 'METRICS_INVALID_BUCKETS'
  | 'METRICS_TARGET_WRITE_FAILED';

export class MetricsError extends Error {
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}
