/** Entry point of the crash guard process (see crash-guard.ts). */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { GuardConfig, GuardMessage } from './crash-guard.js';
import { ToxiproxyClient } from './toxiproxy.js';
import { runPortableUndo, type UndoStep } from './undo.js';

const config = JSON.parse(process.argv[2] ?? '{}') as GuardConfig;
const owed = new Map<number, UndoStep>();
let finished = false;

// Signals meant for the runner's terminal must not stop the guard before it has done its job.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let message: GuardMessage;
  try {
    message = JSON.parse(line) as GuardMessage;
  } catch {
    return;
  }
  if (message.op === 'add') owed.set(message.id, message.step);
  else if (message.op === 'done') owed.delete(message.id);
  else finished = true;
});

lines.on('close', () => {
  if (finished || owed.size === 0) process.exit(0);
  void rollBack().finally(() => process.exit(0));
});

async function rollBack(): Promise<void> {
  const toxiproxy =
    config.toxiproxyUrl === undefined
      ? undefined
      : new ToxiproxyClient(config.toxiproxyUrl, config.timeoutMs);
  // Newest first: the reverse of the order things were done.
  const steps = [...owed.values()].reverse();
  const outcomes = [];
  for (const step of steps) outcomes.push(await runPortableUndo(step, toxiproxy, config.timeoutMs));
  if (config.journalPath !== undefined) {
    const now = Date.now();
    const entry = {
      time: new Date(now).toISOString(),
      tMs: now - config.startedAt,
      event: 'rollback',
      detail: `crash guard: the runner ended without rolling back; ${outcomes.map((o) => `${o.what}: ${o.ok ? 'ok' : `FAILED ${o.error}`}`).join('; ')}`,
    };
    try {
      appendFileSync(config.journalPath, `${JSON.stringify(entry)}\n`);
    } catch {
      // No journal to write to: the reverts still happened.
    }
  }
}
