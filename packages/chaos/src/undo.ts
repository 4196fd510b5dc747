/**
 * Reverts, as plain data: the timeline runs them in process, and the crash guard (a separate
 * process) can run the same list if the runner dies without rolling back.
 */
import { spawnSync } from 'node:child_process';
import { errorMessage } from './errors.js';
import type { ToxiproxyClient } from './toxiproxy.js';
import type { UndoOutcome } from './types.js';

export type UndoStep =
  | { type: 'remove-toxic'; proxy: string; toxic: string }
  | { type: 'enable-proxy'; proxy: string }
  | { type: 'resume'; pid: number; name: string }
  /** Only in process: restarting needs the caller's ProcessRegistry. */
  | { type: 'restart'; name: string }
  | { type: 'netem-clear'; ns: string; hostInterface: string; innerInterface: string; destroy: boolean };

export function describeUndo(step: UndoStep): string {
  switch (step.type) {
    case 'remove-toxic':
      return `remove toxic ${step.toxic} from ${step.proxy}`;
    case 'enable-proxy':
      return `enable link ${step.proxy}`;
    case 'resume':
      return `SIGCONT ${step.name} (pid ${step.pid})`;
    case 'restart':
      return `restart ${step.name}`;
    case 'netem-clear':
      return `clear netem in ${step.ns}${step.destroy ? ' and delete it' : ''}`;
  }
}

/** Runs the parts any process can run (no registry): toxiproxy, signals, tc. */
export async function runPortableUndo(
  step: UndoStep,
  toxiproxy: ToxiproxyClient | undefined,
  timeoutMs: number,
): Promise<UndoOutcome> {
  const what = describeUndo(step);
  try {
    switch (step.type) {
      case 'remove-toxic':
        if (toxiproxy === undefined) throw new Error('no Toxiproxy URL');
        await toxiproxy.removeToxic(step.proxy, step.toxic);
        break;
      case 'enable-proxy':
        if (toxiproxy === undefined) throw new Error('no Toxiproxy URL');
        await toxiproxy.setEnabled(step.proxy, true);
        break;
      case 'resume':
        try {
          process.kill(step.pid, 'SIGCONT');
        } catch (err) {
          // Gone already: nothing left to resume.
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
        }
        break;
      case 'netem-clear':
        for (const args of [
          ['tc', 'qdisc', 'del', 'dev', step.hostInterface, 'root'],
          ['ip', 'netns', 'exec', step.ns, 'tc', 'qdisc', 'del', 'dev', step.innerInterface, 'root'],
          ...(step.destroy ? [['ip', 'netns', 'del', step.ns]] : []),
        ]) {
          spawnSync(args[0] as string, args.slice(1), { timeout: timeoutMs, stdio: 'ignore' });
        }
        break;
      case 'restart':
        throw new Error('a restart needs the process registry of the run');
    }
    return { what, ok: true };
  } catch (err) {
    return { what, ok: false, error: errorMessage(err) };
  }
}
