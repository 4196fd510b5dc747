/** Processes: detached children that outlive the CLI, pid files, graceful stops, log tails. */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnOptions {
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts a long-lived program in its own session (so a terminal hang-up or the CLI's exit does not
 * reach it), stdout and stderr appended to a log file. Returns its pid at once.
 */
export function spawnDetached(command: string, args: readonly string[], options: SpawnOptions): number {
  const fd = openSync(options.logPath, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    // A missing binary surfaces as an 'error' event; the caller sees the pid die instead.
    child.on('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/**
 * Runs a program to completion with its output appended to a log file. Detached too: pg_ctl and a
 * daemonizing redis-server leave a server behind, which must not share the CLI's session.
 */
export function runLogged(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number },
): Promise<RunResult> {
  const fd = openSync(options.logPath, 'a');
  return new Promise<RunResult>((resolve) => {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    closeSync(fd);
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    }
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, signal: null, error });
    });
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

export function describeRun(result: RunResult): string {
  if (result.error) return result.error.message;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit code ${result.code}`;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The argv of a live process, or null (gone, or no /proc). */
export function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((s) => s !== '');
  } catch {
    return null;
  }
}

export async function readPidFile(path: string): Promise<number | null> {
  try {
    const first = (await readFile(path, 'utf8')).split('\n')[0]?.trim() ?? '';
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export async function writePidFile(path: string, pid: number): Promise<void> {
  await writeFile(path, `${pid}\n`);
}

/**
 * The pid in a pid file when that process is alive and its command line contains `marker`: a pid
 * file left by a crash may name a pid the kernel has since given to something else.
 */
export async function livePid(pidPath: string, marker: string): Promise<number | null> {
  const pid = await readPidFile(pidPath);
  if (pid === null || !isAlive(pid)) return null;
  const argv = commandLine(pid);
  if (argv !== null && !argv.some((arg) => arg.includes(marker))) return null;
  return pid;
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM, then SIGKILL when it has not exited within timeoutMs. Resolves once it is gone. */
export async function terminate(pid: number, timeoutMs: number): Promise<'exited' | 'killed'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'exited';
  }
  if (await waitForExit(pid, timeoutMs)) return 'exited';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'exited';
  }
  await waitForExit(pid, 5_000);
  return 'killed';
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Absolute path of an executable on PATH (or among extra folders), or null. */
export function findExecutable(name: string, extraDirs: readonly string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log, for error messages; empty when it cannot be read. */
export function logTail(path: string, lines = 15): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  /** Primary and supplementary groups. */
  groups: number[];
}

/** Looks a user up in /etc/passwd and /etc/group (no getpwnam in Node). */
export function lookupUser(name: string): SystemUser | null {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  const entry = passwd.split('\n').find((line) => line.split(':')[0] === name);
  if (entry === undefined) return null;
  const fields = entry.split(':');
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  const groups = [gid];
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const g = line.split(':');
      if ((g[3] ?? '').split(',').includes(name)) groups.push(Number(g[2]));
    }
  } catch {
    // Supplementary groups only widen access; without /etc/group the check is merely stricter.
  }
  return { name, uid, gid, groups };
}
