/** Entry point of a load worker thread: see load-thread.ts for what it runs. */
import { parentPort } from 'node:worker_threads';
import type { CallbackBroker, Expectation, Settlement } from './flows/types.js';
import { runAssignment } from './load-thread.js';
import type { FromWorker, ToWorker } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker.ts runs only as a worker thread');

function send(message: FromWorker): void {
  port!.postMessage(message);
}

/** Hands accepted messages to the sink in the main thread and waits for its answer. */
class WorkerBroker implements CallbackBroker {
  private readonly waiting = new Map<string, (s: Settlement) => void>();

  expect(expectation: Expectation): Promise<Settlement> {
    send({ type: 'expect', expectation });
    if (expectation.awaitStatus === undefined)
      return Promise.resolve({ sid: expectation.sid, status: 'accepted', ok: true });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(expectation.sid);
        resolve({ sid: expectation.sid, status: 'timeout', ok: false });
      }, expectation.timeoutMs);
      this.waiting.set(expectation.sid, (s) => {
        clearTimeout(timer);
        this.waiting.delete(expectation.sid);
        resolve(s);
      });
    });
  }

  settle(settlement: Settlement): void {
    this.waiting.get(settlement.sid)?.(settlement);
  }

  /** Resolves every wait at once (the run is over). */
  cancelAll(): void {
    for (const [sid, resolve] of this.waiting) resolve({ sid, status: 'aborted', ok: false });
  }
}

const broker = new WorkerBroker();
const abort = new AbortController();

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      runAssignment(message.assignment, {
        callbacks: message.assignment.sinkUrl === undefined ? undefined : broker,
        signal: abort.signal,
        onWindow: (window) => send({ type: 'window', window }),
      }).then(
        ({ stats, window }) => {
          broker.cancelAll();
          send({ type: 'done', stats, window });
        },
        (err: unknown) => {
          const e = err as { message?: string; code?: string };
          send({ type: 'error', message: e.message ?? String(err), ...(e.code ? { code: e.code } : {}) });
        },
      );
      break;
    case 'settled':
      broker.settle(message.settlement);
      break;
    case 'abort':
      abort.abort();
      broker.cancelAll();
      break;
  }
});

send({ type: 'ready' });
