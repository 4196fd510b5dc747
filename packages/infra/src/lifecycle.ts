/** What every service's start shares: the port check before, the health wait after. */
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from './errors.js';
import { isAlive, livePid, logTail, removeFile, spawnDetached, terminate, writePidFile } from './proc.js';
import type { Health } from './types.js';

export type Probe = (host: string, port: number) => Promise<Health>;

export interface Endpoint {
  /** Human name: "PostgreSQL", "Kafka". */
  label: string;
  host: string;
  port: number;
  probe: Probe;
}

/**
 * Before starting: 'running' when the service already answers there (whoever started it), 'free'
 * when nothing listens; throws INFRA_PORT_TAKEN when something else holds the port.
 */
export async function checkPort(endpoint: Endpoint, timeoutMs: number): Promise<'running' | 'free'> {
  const health = await endpoint.probe(endpoint.host, endpoint.port);
  if (health === 'closed') return 'free';
  if (health === 'foreign') throw portTaken(endpoint);
  if (health === 'starting') {
    // Someone else is bringing it up right now: wait for it rather than starting a second one.
    await waitHealthy(endpoint, { timeoutMs, logPath: undefined, pid: undefined });
  }
  return 'running';
}

export function portTaken(endpoint: Endpoint, what = endpoint.label): InfraError {
  return new InfraError(
    'INFRA_PORT_TAKEN',
    `${endpoint.host}:${endpoint.port} is taken by something that is not ${what}; stop it, or give ` +
      `${endpoint.label} another port.`,
  );
}

export interface WaitOptions {
  timeoutMs: number;
  logPath: string | undefined;
  /** The process just started: when it dies, fail at once with its log instead of waiting. */
  pid: number | undefined;
  /** An extra readiness condition (Kafka's "started" log line). */
  ready?: () => Promise<boolean>;
}

export async function waitHealthy(endpoint: Endpoint, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const where = `${endpoint.host}:${endpoint.port}`;
  const logNote = options.logPath === undefined ? '' : `; log: ${options.logPath}`;
  for (;;) {
    const health = await endpoint.probe(endpoint.host, endpoint.port);
    if (health === 'healthy' && (options.ready === undefined || (await options.ready()))) return;
    if (health === 'foreign') throw portTaken(endpoint);
    if (options.pid !== undefined && !isAlive(options.pid)) {
      const tail = options.logPath === undefined ? '' : logTail(options.logPath);
      throw new InfraError(
        'INFRA_START_FAILED',
        `${endpoint.label} exited while starting${logNote}` + (tail === '' ? '' : `\n${tail}`),
        options.logPath === undefined ? {} : { logPath: options.logPath },
      );
    }
    if (Date.now() >= deadline) {
      throw new InfraError(
        'INFRA_START_TIMEOUT',
        `${endpoint.label} did not answer on ${where} within ${Math.round(options.timeoutMs / 1000)} s${logNote}`,
        options.logPath === undefined ? {} : { logPath: options.logPath },
      );
    }
    await sleep(200);
  }
}

export interface DetachedLaunch {
  endpoint: Endpoint;
  command: string;
  args: readonly string[];
  logPath: string;
  pidPath: string;
  /** What the process's command line contains, to recognise it from its pid file later. */
  marker: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  ready?: () => Promise<boolean>;
}

/**
 * Starts a server that does not daemonize itself, unless one is already alive from this folder's
 * pid file (then only waits for it), records its pid and waits until it answers.
 */
export async function launchDetached(launch: DetachedLaunch): Promise<void> {
  const existing = await livePid(launch.pidPath, launch.marker);
  if (existing !== null) {
    await waitHealthy(launch.endpoint, {
      timeoutMs: launch.timeoutMs,
      logPath: launch.logPath,
      pid: existing,
    });
    return;
  }
  const pid = spawnDetached(launch.command, launch.args, {
    logPath: launch.logPath,
    ...(launch.env === undefined ? {} : { env: launch.env }),
    ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
  });
  await writePidFile(launch.pidPath, pid);
  try {
    await waitHealthy(launch.endpoint, {
      timeoutMs: launch.timeoutMs,
      logPath: launch.logPath,
      pid,
      ...(launch.ready === undefined ? {} : { ready: launch.ready }),
    });
  } catch (err) {
    // A half-started server would hold the port and confuse the next start: take it down.
    await terminate(pid, 10_000);
    await removeFile(launch.pidPath);
    throw err;
  }
}

/** Stops what this folder's pid file names (SIGTERM, SIGKILL after timeoutMs). */
export async function stopByPidFile(
  pidPath: string,
  marker: string,
  timeoutMs: number,
): Promise<'stopped' | 'not-running'> {
  const pid = await livePid(pidPath, marker);
  if (pid === null) {
    await removeFile(pidPath);
    return 'not-running';
  }
  await terminate(pid, timeoutMs);
  await removeFile(pidPath);
  return 'stopped';
}
