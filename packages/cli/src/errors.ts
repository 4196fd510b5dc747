/**
 * Exit codes (k6-style, shared by every command) and the CLI's own error catalogue. Each error a
 * user can hit has a stable code and a message that says what to do next.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  /** bench: a budget, the reconciliation or the rate attainment failed (k6's 99). */
  budgetsFailed: 99,
  /** bench: the scenario file is invalid, or asks for what this lab cannot run; up -t: the topology file is invalid. */
  invalidScenario: 104,
  /** A second Ctrl-C during shutdown (or an abortOnFail budget): the run was cut short. */
  aborted: 105,
} as const;

export type CliErrorCode =
  | 'LAB_NOT_RUNNING'
  | 'LAB_STATE_INVALID'
  | 'LAB_UNREACHABLE'
  | 'LAB_TIMEOUT'
  | 'LAB_UNAUTHORIZED'
  | 'LAB_REQUEST_FAILED'
  | 'LAB_BAD_RESPONSE'
  | 'LAB_START_FAILED'
  | 'INVALID_FLAG'
  /** A service name `infra` does not know (usage error, exit 2). */
  | 'INFRA_UNKNOWN_SERVICE'
  /** TWILIO_LAB_INFRA_PORTS is not a name=port list (usage error, exit 2). */
  | 'INFRA_INVALID_PORTS'
  /** At least one engine failed to install, start or stop; the message names each and its log. */
  | 'INFRA_FAILED'
  /** The scenario file is invalid or needs a product or setup this lab lacks (exit 104). */
  | 'SCENARIO_INVALID'
  /** `bench compare`: a summary file is missing, unreadable or has no samples. */
  | 'BENCH_SUMMARY_INVALID'
  /** The bench run itself could not be carried out (lab, sink or worker failure). */
  | 'BENCH_FAILED'
  /** `up -t`: the topology file is invalid (exit 104); the message lists every problem with its path. */
  | 'TOPOLOGY_INVALID'
  /** `logs`: no such process in the running topology (usage error, exit 2). */
  | 'UNKNOWN_PROCESS'
  /** `down`: something could not be stopped. */
  | 'DOWN_FAILED'
  /** `chaos run`: the experiment file is invalid (exit 104); every problem with its path. */
  | 'CHAOS_INVALID'
  /** `chaos run`: a fault names a link or process that does not exist (no topology yet, a typo). */
  | 'CHAOS_TARGET_NOT_FOUND'
  /** Toxiproxy is unreachable, timed out, or refused a control call. */
  | 'CHAOS_TOXIPROXY'
  /** UDP (netem) faults cannot run on this machine (root, iproute2, sch_netem). */
  | 'CHAOS_NETEM_UNAVAILABLE'
  /** Any other chaos failure (e.g. a ${NAME} without a value). */
  | 'CHAOS_FAILED';

const USAGE_CODES: ReadonlySet<CliErrorCode> = new Set([
  'INVALID_FLAG',
  'UNKNOWN_PROCESS',
  'INFRA_UNKNOWN_SERVICE',
  'INFRA_INVALID_PORTS',
]);

export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;
  /** Twilio error code when the lab answered with one. */
  readonly twilioCode: number | undefined;

  constructor(
    code: CliErrorCode,
    message: string,
    options: { exitCode?: number; twilioCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode =
      options.exitCode ??
      (USAGE_CODES.has(code)
        ? EXIT.usage
        : code === 'SCENARIO_INVALID' || code === 'TOPOLOGY_INVALID'
          ? EXIT.invalidScenario
          : EXIT.error);
    this.twilioCode = options.twilioCode;
  }
}
