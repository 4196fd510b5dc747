/**
 * Worker-thread entry: runs one super-network (carrier simulators, SMPP binds, handsets) on
 * this thread and serves the proxy on the thread that started it (super-network-thread.ts).
 * Receipts and inbound messages are acknowledged to the carriers only once the other thread
 * answered for them, exactly as when the handlers run in-thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSuperNetwork } from './super-network.js';
import type { RunningSuperNetwork, SuperNetworkLog } from './super-network.js';
import {
  COUNTER_FIELDS,
  TurnBatcher,
  fromPlainError,
  toPlainError,
  toPlainLogFields,
} from './thread-protocol.js';
import type { CounterSnapshot, FromWorker, ToWorker, WorkerConfig } from './thread-protocol.js';
import type { DeliveryReceipt, InboundSms } from './types.js';

interface PendingAck {
  resolve: () => void;
  reject: (error: Error) => void;
}

if (!parentPort) throw new Error('super-network-worker.js runs only as a worker thread');
const port = parentPort;
const config = workerData as WorkerConfig;

let net: RunningSuperNetwork | null = null;
let lastCounters: CounterSnapshot = [];

function counters(): CounterSnapshot {
  if (!net) return lastCounters;
  const carriers = net.carriers();
  const snapshot = new Array<number>(carriers.length * COUNTER_FIELDS);
  let i = 0;
  for (const c of carriers) {
    snapshot[i++] = c.bound ? 1 : 0;
    snapshot[i++] = c.submitted;
    snapshot[i++] = c.delivered;
    snapshot[i++] = c.failed;
    snapshot[i++] = c.throttled;
  }
  return snapshot;
}

/** True (and remembered) when the counters moved since the last snapshot sent. */
function countersChanged(): boolean {
  const now = counters();
  let changed = now.length !== lastCounters.length;
  for (let i = 0; !changed && i < now.length; i++) changed = now[i] !== lastCounters[i];
  if (changed) lastCounters = now;
  return changed;
}

// Every batch carries the counters as of its flush when they moved, so the other side's
// carriers() is never behind a reply or receipt it has already seen.
const outbox = new TurnBatcher<FromWorker>((batch) => {
  if (countersChanged()) batch.push({ t: 'status', counters: lastCounters });
  port.postMessage(batch);
});

const pendingAcks = new Map<number, PendingAck>();
const watches = new Map<number, () => void>();
let nextEventId = 0;

function awaitAck(event: (id: number) => FromWorker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const id = ++nextEventId;
    pendingAcks.set(id, { resolve, reject });
    outbox.push(event(id));
  });
}

const onReceipt = (receipt: DeliveryReceipt): Promise<void> =>
  awaitAck((id) => ({ t: 'receipt', id, receipt }));
const onInbound = (sms: InboundSms): Promise<void> => awaitAck((id) => ({ t: 'inbound', id, sms }));

function reply(id: number, work: Promise<unknown>): void {
  work.then(
    (value) => outbox.push({ t: 'ok', id, value }),
    (error: unknown) => outbox.push({ t: 'err', id, error: toPlainError(error) }),
  );
}

async function closeNetwork(network: RunningSuperNetwork): Promise<CounterSnapshot> {
  clearInterval(statusTimer);
  for (const unwatch of watches.values()) unwatch();
  watches.clear();
  await network.close();
  // Nothing can acknowledge to a carrier any more: the binds are gone.
  for (const ack of pendingAcks.values()) ack.reject(new Error('super-network closed'));
  pendingAcks.clear();
  return counters();
}

function handle(network: RunningSuperNetwork, message: ToWorker): void {
  switch (message.t) {
    case 'submit':
      reply(message.id, network.submit(message.sms));
      return;
    case 'ack': {
      const pending = pendingAcks.get(message.id);
      if (!pending) return;
      pendingAcks.delete(message.id);
      if (message.error === null) pending.resolve();
      else pending.reject(fromPlainError(message.error));
      return;
    }
    case 'subscribe':
      if (message.what === 'receipts') network.onReceipt(onReceipt);
      else network.onInbound(onInbound);
      return;
    case 'inbox':
      reply(
        message.id,
        network.handsets.inbox(message.e164, {
          ...(message.since !== undefined ? { since: message.since } : {}),
          ...(message.limit !== undefined ? { limit: message.limit } : {}),
        }),
      );
      return;
    case 'clear':
      reply(message.id, network.handsets.clear(message.e164));
      return;
    case 'send':
      reply(message.id, network.handsets.send(message.input));
      return;
    case 'watch': {
      const id = message.id;
      watches.set(
        id,
        network.handsets.watch(message.e164, message.since, (m) =>
          outbox.push({ t: 'watched', id, message: m }),
        ),
      );
      return;
    }
    case 'unwatch':
      watches.get(message.id)?.();
      watches.delete(message.id);
      return;
    case 'close': {
      const id = message.id;
      closeNetwork(network).then(
        (final) => {
          lastCounters = final;
          outbox.push({ t: 'ok', id, value: null });
          outbox.flush();
          // Nothing else holds this thread: closing the port lets it exit on its own.
          port.close();
        },
        (error: unknown) => outbox.push({ t: 'err', id, error: toPlainError(error) }),
      );
      return;
    }
  }
}

const log: SuperNetworkLog = {
  info: (obj, msg) => outbox.push({ t: 'log', level: 'info', obj: toPlainLogFields(obj), msg }),
  warn: (obj, msg) => outbox.push({ t: 'log', level: 'warn', obj: toPlainLogFields(obj), msg }),
};

// Bind state changes without traffic (a carrier drops the bind): report it now and then.
const statusTimer = setInterval(() => {
  if (countersChanged()) outbox.push({ t: 'status', counters: lastCounters });
}, config.statusIntervalMs);
statusTimer.unref();

try {
  net = await createSuperNetwork({ ...config.options, ...(config.forwardLog ? { log } : {}) });
} catch (error) {
  clearInterval(statusTimer);
  port.postMessage([{ t: 'start-failed', error: toPlainError(error) } satisfies FromWorker]);
  port.close();
}

if (net) {
  const network = net;
  port.on('message', (batch: ToWorker[]) => {
    for (const message of batch) handle(network, message);
  });
  lastCounters = counters();
  port.postMessage([
    {
      t: 'ready',
      region: network.region,
      addresses: network.addresses(),
      carriers: network
        .carriers()
        .map((c) => ({ name: c.name, region: c.region, prefixes: [...c.prefixes] })),
    },
    { t: 'status', counters: lastCounters },
  ] satisfies FromWorker[]);
}
