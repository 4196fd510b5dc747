import { ConfigError } from '@twilio-lab/core';
import { LabConfigError } from '@twilio-lab/lab';
import { EXIT_CONFIG, TopologyError } from './errors.js';
import { processConfigFromEnv } from './process-config.js';
import type { ProcessConfig, ReadyMessage } from './process-config.js';

interface Started {
  close(): Promise<void>;
}

/** Configuration problems: restarting would fail the same way, so the supervisor must not. */
function isConfigProblem(err: unknown): boolean {
  return (
    err instanceof ConfigError ||
    err instanceof LabConfigError ||
    (err instanceof TopologyError && err.code === 'TOPOLOGY_PROCESS_CONFIG')
  );
}

/**
 * The life of a supervised process: read the configuration, start, tell the supervisor (IPC)
 * that it serves, then stop gracefully on SIGTERM/SIGINT or when the supervisor goes away.
 * Exit codes: 0 after a graceful stop, EXIT_CONFIG (78) for a configuration problem, 1 for
 * anything else (the supervisor restarts it).
 */
export async function runSupervisedProcess<K extends ProcessConfig['kind']>(
  kind: K,
  start: (config: Extract<ProcessConfig, { kind: K }>) => Promise<Started & { ready: ReadyMessage }>,
): Promise<void> {
  let started: (Started & { ready: ReadyMessage }) | undefined;
  try {
    started = await start(processConfigFromEnv(kind));
  } catch (err) {
    process.stderr.write(`${kind}: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(isConfigProblem(err) ? EXIT_CONFIG : 1);
  }
  const running = started;
  process.send?.(running.ready);

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) {
      process.stderr.write(`${kind}: ${why} again, exiting at once\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${kind}: ${why}, stopping gracefully\n`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${kind}: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The supervisor died (SIGKILL): nothing will ever stop us, so stop now rather than linger.
  process.on('disconnect', () => stop('supervisor gone'));
}
