/**
 * The store's writer thread: owns the connection that commits group-commit batches, so the
 * commit's fsync never blocks the main event loop. Receives `{id, calls}` (one op array per
 * write() call), answers `{id, committed, outcomes}`; errors cross as `{message, code}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRunner } from './batch-runner.js';
import { openConnection, type WriterBatch, type WriterReply } from './sqlite-store.js';
import { StatementCache } from './statement-cache.js';
import type { SqlValue, WriteOp } from './types.js';

interface WriterData {
  path: string;
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
}

const port = parentPort;
if (port === null) throw new Error('sqlite-writer must run as a worker thread');
const options = workerData as WriterData;

let runner: BatchRunner;
let close: () => void;
try {
  const db = openConnection(options.path, options);
  runner = new BatchRunner(db, new StatementCache(db));
  close = () => db.close();
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

const sqlTexts = new Map<number, string>();

port.on('message', (message: WriterBatch | { close: true }) => {
  if ('close' in message) {
    close();
    port.close();
    return;
  }
  for (const [sqlId, text] of message.defs) sqlTexts.set(sqlId, text);
  const calls = message.calls.map((flat) => {
    const ops = new Array<WriteOp>(flat.length / 2);
    for (let j = 0; j < ops.length; j++) {
      // Ids always arrive with (or after) their text: the main thread sends each text once, in order.
      ops[j] = { sql: sqlTexts.get(flat[j * 2] as number)!, params: flat[j * 2 + 1] as readonly SqlValue[] };
    }
    return ops;
  });
  const result = runner.run(calls);
  const reply: WriterReply = {
    id: message.id,
    committed: result.committed,
    outcomes: result.outcomes.map((outcome) =>
      'changes' in outcome ? outcome : { error: plainError(outcome.error) },
    ),
  };
  port.postMessage(reply);
});

function plainError(error: unknown): { message: string; code?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
