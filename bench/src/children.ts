/** Child processes of the benchmark: spawned, read, and always killed, even on Ctrl-C. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Spawned<T> {
  child: ChildProcess;
  /** The first JSON document the child printed on stdout. */
  first: T;
  stderr(): string;
}

/** Spawns `node args…` and waits (bounded) for the first line of stdout that parses as JSON. */
export async function spawnNode<T>(args: readonly string[], timeoutMs: number): Promise<Spawned<T>> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    // Keep the tail only: a chatty child must not grow our memory.
    stderr = (stderr + c.toString()).slice(-8_000);
  });
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    const first = await new Promise<T>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no output from node ${args.join(' ')} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.once('exit', (code) =>
        reject(new Error(`node ${args.join(' ')} exited (${code}): ${stderr.trim()}`)),
      );
      lines.on('line', (line) => {
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          // not JSON: a log line; wait for the next one
        }
      });
    });
    return { child, first, stderr: () => stderr };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
    lines.removeAllListeners('line');
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with the exit code. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
