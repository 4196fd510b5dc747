import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT_CONFIG } from './errors.js';

/** One process the supervisor keeps running. */
export interface ProcessSpec {
  /** Unique name: 'gateway', 'us1-cell-2'. Names the log file too. */
  name: string;
  kind: string;
  /** JavaScript file run with `node`. */
  script: string;
  args?: readonly string[];
  /** Added to the supervisor's environment. */
  env?: Readonly<Record<string, string>>;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Polled by waitReady: 200 means ready (with or without an IPC ready message). */
  healthUrl?: string;
  port?: number;
}

export interface BackoffOptions {
  /** Delay before the first restart. Default 250 ms. */
  initialMs: number;
  /** Growth per consecutive failure. Default 2. */
  factor: number;
  /** Cap. Default 10 s. */
  maxMs: number;
  /** A process that ran at least this long before exiting starts the sequence again. Default 10 s. */
  resetAfterMs: number;
}

export type ProcessState = 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'config-error';

export interface ProcessStatus {
  name: string;
  kind: string;
  pid: number | null;
  port: number | null;
  state: ProcessState;
  /** Restarts after unexpected exits. */
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  logFile: string;
}

export type SupervisorEvent =
  | { type: 'spawn'; name: string; pid: number; attempt: number }
  | { type: 'ready'; name: string; message: unknown }
  | { type: 'exit'; name: string; code: number | null; signal: string | null; expected: boolean }
  | { type: 'restart-scheduled'; name: string; delayMs: number; consecutiveFailures: number }
  | { type: 'config-error'; name: string; code: number };

export interface SupervisorOptions {
  backoff?: Partial<BackoffOptions>;
  /** Arguments before the script (e.g. --enable-source-maps). */
  nodeArgs?: readonly string[];
  onEvent?: (event: SupervisorEvent) => void;
  now?: () => number;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, factor: 2, maxMs: 10_000, resetAfterMs: 10_000 };

/** The back-off before restart number `consecutiveFailures` (1 for the first). */
export function backoffDelay(b: BackoffOptions, consecutiveFailures: number): number {
  return Math.min(b.maxMs, Math.round(b.initialMs * b.factor ** Math.max(0, consecutiveFailures - 1)));
}

class Managed {
  child: ChildProcess | null = null;
  state: ProcessState = 'starting';
  restarts = 0;
  consecutiveFailures = 0;
  spawnedAt = 0;
  lastExit: ProcessStatus['lastExit'] = null;
  readyMessage: unknown = undefined;
  restartTimer: NodeJS.Timeout | null = null;
  /** Resolved by each exit; stop() waits on it. */
  exitWaiters: (() => void)[] = [];

  constructor(public spec: ProcessSpec) {}
}

/**
 * Keeps child processes running: spawns them (`node script`, stdout/stderr to a log file, an
 * IPC channel for their ready message, their own process group so a terminal's Ctrl-C reaches
 * the supervisor only and the shutdown order stays ours), restarts one that exits unexpectedly
 * after an exponential back-off with a cap, and never restarts one that exits with EXIT_CONFIG
 * (78): its configuration is wrong and a loop would only fill its log.
 */
export class Supervisor {
  private readonly processes = new Map<string, Managed>();
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: SupervisorOptions = {}) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.now = options.now ?? Date.now;
  }

  /** Starts supervising `spec` (spawns it now). */
  add(spec: ProcessSpec): void {
    if (this.processes.has(spec.name)) throw new Error(`a process named ${spec.name} is already supervised`);
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const managed = new Managed(spec);
    this.processes.set(spec.name, managed);
    this.spawn(managed);
  }

  /** Environment (and port) for the process's next runs, e.g. once the first run resolved a port 0. */
  restartEnv(name: string, env: Readonly<Record<string, string>>, port?: number): void {
    const managed = this.processes.get(name);
    if (managed === undefined) throw new Error(`no process named ${name}`);
    managed.spec = {
      ...managed.spec,
      env: { ...managed.spec.env, ...env },
      ...(port === undefined ? {} : { port }),
    };
  }

  statuses(): ProcessStatus[] {
    return [...this.processes.values()].map((m) => ({
      name: m.spec.name,
      kind: m.spec.kind,
      pid: m.child?.pid ?? null,
      port: m.spec.port ?? null,
      state: m.state,
      restarts: m.restarts,
      lastExit: m.lastExit,
      logFile: m.spec.logFile,
    }));
  }

  status(name: string): ProcessStatus | undefined {
    return this.statuses().find((s) => s.name === name);
  }

  /** The last IPC ready message of the process's current run. */
  readyMessage(name: string): unknown {
    return this.processes.get(name)?.readyMessage;
  }

  /**
   * Resolves once the process's current run is ready: it sent an IPC ready message, or its
   * healthUrl answers 200. Rejects when it exits with EXIT_CONFIG or the time runs out.
   */
  async waitReady(name: string, timeoutMs: number): Promise<void> {
    const managed = this.processes.get(name);
    if (managed === undefined) throw new Error(`no process named ${name}`);
    const deadline = this.now() + timeoutMs;
    for (;;) {
      if (managed.state === 'config-error') {
        throw new Error(
          `${name} exited with code ${EXIT_CONFIG} (configuration error); see ${managed.spec.logFile}`,
        );
      }
      if (managed.state === 'stopped' || managed.state === 'stopping') throw new Error(`${name} was stopped`);
      if (managed.state === 'running' && managed.readyMessage !== undefined) return;
      if (
        managed.state === 'running' &&
        managed.spec.healthUrl !== undefined &&
        (await healthy(managed.spec.healthUrl))
      ) {
        return;
      }
      if (this.now() >= deadline) {
        throw new Error(`${name} was not ready after ${timeoutMs} ms; see ${managed.spec.logFile}`);
      }
      await delay(50);
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the process is gone. No restart. */
  async stop(name: string, timeoutMs = 15_000): Promise<void> {
    const managed = this.processes.get(name);
    if (managed === undefined) return;
    if (managed.restartTimer !== null) {
      clearTimeout(managed.restartTimer);
      managed.restartTimer = null;
    }
    const child = managed.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) {
      managed.state = managed.state === 'config-error' ? 'config-error' : 'stopped';
      return;
    }
    managed.state = 'stopping';
    const exited = new Promise<void>((resolve) => managed.exitWaiters.push(resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops groups in order, the members of one group in parallel (e.g. [['gateway'], cells]). */
  async stopInOrder(groups: readonly (readonly string[])[], timeoutMs = 15_000): Promise<void> {
    for (const group of groups) await Promise.all(group.map((name) => this.stop(name, timeoutMs)));
    this.closed = true;
  }

  /** SIGKILL everything at once, no restarts (a second Ctrl-C). */
  killAll(): void {
    this.closed = true;
    for (const managed of this.processes.values()) {
      if (managed.restartTimer !== null) clearTimeout(managed.restartTimer);
      managed.restartTimer = null;
      if (managed.state !== 'config-error') managed.state = 'stopping';
      managed.child?.kill('SIGKILL');
    }
  }

  private spawn(managed: Managed): void {
    const spec = managed.spec;
    managed.readyMessage = undefined;
    managed.state = 'starting';
    const attempt = managed.restarts + 1;
    appendFileSync(
      spec.logFile,
      `--- ${new Date(this.now()).toISOString()} supervisor: starting ${spec.name} (run ${attempt}) ---\n`,
    );
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), spec.script, ...(spec.args ?? [])], {
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd, 'ipc'],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    managed.child = child;
    managed.spawnedAt = this.now();
    child.on('message', (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'ready') {
        managed.readyMessage = message;
        this.options.onEvent?.({ type: 'ready', name: spec.name, message });
      }
    });
    child.on('spawn', () => {
      if (managed.state === 'starting') managed.state = 'running';
      this.options.onEvent?.({ type: 'spawn', name: spec.name, pid: child.pid ?? -1, attempt });
    });
    // 'error' without 'spawn' (e.g. ENOENT): treated like an exit so the back-off applies.
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => this.onExit(managed, child, code, signal));
  }

  private onExit(
    managed: Managed,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (managed.child !== child) return;
    const spec = managed.spec;
    const expected = managed.state === 'stopping' || this.closed;
    managed.lastExit = { code, signal, at: new Date(this.now()).toISOString() };
    appendFileSync(
      spec.logFile,
      `--- ${managed.lastExit.at} supervisor: ${spec.name} exited (code ${code}, signal ${signal}) ---\n`,
    );
    this.options.onEvent?.({ type: 'exit', name: spec.name, code, signal, expected });
    const waiters = managed.exitWaiters;
    managed.exitWaiters = [];

    if (code === EXIT_CONFIG) {
      managed.state = 'config-error';
      this.options.onEvent?.({ type: 'config-error', name: spec.name, code });
    } else if (expected) {
      managed.state = 'stopped';
    } else {
      const ranFor = this.now() - managed.spawnedAt;
      managed.consecutiveFailures = ranFor >= this.backoff.resetAfterMs ? 1 : managed.consecutiveFailures + 1;
      const delayMs = backoffDelay(this.backoff, managed.consecutiveFailures);
      managed.state = 'backoff';
      this.options.onEvent?.({
        type: 'restart-scheduled',
        name: spec.name,
        delayMs,
        consecutiveFailures: managed.consecutiveFailures,
      });
      managed.restartTimer = setTimeout(() => {
        managed.restartTimer = null;
        if (managed.state !== 'backoff' || this.closed) return;
        managed.restarts++;
        this.spawn(managed);
      }, delayMs);
    }
    for (const wake of waiters) wake();
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
