/** Every failure a user can hit, with a stable code and a message that says what to do next. */

export type InfraErrorCode =
  | 'INFRA_UNKNOWN_SERVICE'
  | 'INFRA_INVALID_PORTS'
  | 'INFRA_NOT_INSTALLED'
  | 'INFRA_NEEDS_ROOT'
  | 'INFRA_INSTALL_FAILED'
  | 'INFRA_PORT_TAKEN'
  | 'INFRA_DIR_NOT_TRAVERSABLE'
  | 'INFRA_START_FAILED'
  | 'INFRA_START_TIMEOUT'
  | 'INFRA_STOP_FAILED';

export class InfraError extends Error {
  readonly code: InfraErrorCode;
  /** The log that explains the failure, when there is one. */
  readonly logPath: string | undefined;

  constructor(code: InfraErrorCode, message: string, options: { logPath?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InfraError';
    this.code = code;
    this.logPath = options.logPath;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
