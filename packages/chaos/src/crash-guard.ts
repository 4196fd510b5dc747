/**
 * The crash guard: a small detached process that holds the list of reverts still owed. The
 * runner tells it about each revert before injecting and when it is done; if the runner's
 * pipe closes without a final 'finish' (SIGKILL, a crash, an exit that skipped the rollback),
 * the guard runs what is left. Ctrl-C reaches the runner's process group, not the guard (it
 * runs in its own session), so the guard outlives whatever stops the runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { UndoStep } from './undo.js';

const SCRIPT = fileURLToPath(new URL('./crash-guard-process.js', import.meta.url));

export interface GuardConfig {
  toxiproxyUrl?: string;
  timeoutMs: number;
  journalPath?: string;
  startedAt: number;
}

export type GuardMessage =
  { op: 'add'; id: number; step: UndoStep } | { op: 'done'; id: number } | { op: 'finish' };

export class CrashGuard {
  private readonly child: ChildProcess;
  private closed = false;

  constructor(config: GuardConfig) {
    this.child = spawn(process.execPath, [SCRIPT, JSON.stringify(config)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    this.child.on('error', () => {
      this.closed = true;
    });
    this.child.stdin?.on('error', () => {
      this.closed = true;
    });
    // Neither the guard nor its pipe may keep the runner alive.
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  add(id: number, step: UndoStep): void {
    this.send({ op: 'add', id, step });
  }

  done(id: number): void {
    this.send({ op: 'done', id });
  }

  /** The rollback ran in process: the guard exits without doing anything. */
  finish(): void {
    this.send({ op: 'finish' });
    this.closed = true;
    this.child.stdin?.end();
  }

  private send(message: GuardMessage): void {
    if (this.closed) return;
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }
}
