/** Every failure a chaos user can hit, with a stable code. */

export type ChaosErrorCode =
  /** The experiment file (or a FaultSpec list) is invalid; `issues` lists every problem. */
  | 'CHAOS_INVALID'
  /** A fault's target matches no Toxiproxy proxy / no registered process / no namespace. */
  | 'CHAOS_TARGET_NOT_FOUND'
  /** Nothing answers at the Toxiproxy URL. */
  | 'CHAOS_TOXIPROXY_UNREACHABLE'
  /** Toxiproxy answered with an error status. */
  | 'CHAOS_TOXIPROXY_ERROR'
  /** A control call (Toxiproxy, process registry, tc) did not finish within its timeout. */
  | 'CHAOS_CONTROL_TIMEOUT'
  /** UDP faults need root, `ip`, `tc`, network namespaces and the kernel's sch_netem. */
  | 'CHAOS_NETEM_UNAVAILABLE'
  /** A `tc`/`ip` command or a process signal failed. */
  | 'CHAOS_COMMAND_FAILED'
  /** A ${NAME} in a probe has no value (neither in vars nor in the environment). */
  | 'CHAOS_UNKNOWN_VARIABLE';

export interface ChaosIssue {
  /** 'faults[1].latency' ('' for the whole file). */
  path: string;
  message: string;
  line?: number;
  col?: number;
}

/** Exit code for an invalid experiment file (same as an invalid bench scenario). */
export const CHAOS_INVALID_EXIT_CODE = 104;

export class ChaosError extends Error {
  readonly code: ChaosErrorCode;
  readonly issues: readonly ChaosIssue[];

  constructor(
    code: ChaosErrorCode,
    message: string,
    options: { issues?: readonly ChaosIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChaosError';
    this.code = code;
    this.issues = options.issues ?? [];
  }
}

/** 'faults[0].latency: expected a number (line 7:11)'. */
export function formatIssue(issue: ChaosIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}:${issue.col ?? 1})`;
  return `${issue.path === '' ? '(file)' : issue.path}: ${issue.message}${where}`;
}

export function invalid(source: string, issues: readonly ChaosIssue[]): ChaosError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new ChaosError(
    'CHAOS_INVALID',
    `Invalid chaos experiment ${source} (${count}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    { issues },
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
