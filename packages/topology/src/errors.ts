/**
 * The topology package's error catalogue. Every error a user can hit has a stable code; a
 * process that cannot start because of its configuration exits with EXIT_CONFIG so that the
 * supervisor does not restart it in a loop.
 */

/** sysexits.h EX_CONFIG: the process's configuration is wrong; restarting it would not help. */
export const EXIT_CONFIG = 78;

export type TopologyErrorCode =
  /** The topology file cannot be read or parsed (YAML syntax). Schema problems are core's ConfigError. */
  | 'TOPOLOGY_FILE_UNREADABLE'
  /** A process configuration handed to gateway-process / cell-process is missing or malformed. */
  | 'TOPOLOGY_PROCESS_CONFIG'
  /** A process did not become healthy in time, or exited while starting. */
  | 'TOPOLOGY_START_FAILED'
  /** No topology is running in the data directory (no state file, or its supervisor is gone). */
  | 'TOPOLOGY_NOT_RUNNING'
  /** The state file exists but cannot be read. */
  | 'TOPOLOGY_STATE_INVALID'
  /** A topology is already running in this data directory. */
  | 'TOPOLOGY_ALREADY_RUNNING'
  /** An account was routed to a cell id the topology does not have. */
  | 'TOPOLOGY_UNKNOWN_CELL';

export class TopologyError extends Error {
  constructor(
    readonly code: TopologyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TopologyError';
  }
}
