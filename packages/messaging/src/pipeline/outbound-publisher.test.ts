import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendError, createMemoryQueue } from '@twilio-lab/backends';
import type { Queue, QueueMessage } from '@twilio-lab/backends';
import type { Logger } from '@twilio-lab/cell';
import { OUTBOUND_TOPIC } from './outbox.js';
import { OutboundPublisher } from './outbound-publisher.js';

/** A queue whose publish fails while `down` is set, like a broker being restarted. */
function flakyQueue(): { queue: Queue; published: QueueMessage[]; setDown(down: boolean): void } {
  const inner = createMemoryQueue();
  const published: QueueMessage[] = [];
  let down = false;
  const queue: Queue = {
    kind: 'memory',
    async publish(topic, messages) {
      if (down) throw new BackendError('QUEUE_UNAVAILABLE', 'broker unreachable');
      if (topic === OUTBOUND_TOPIC) published.push(...messages);
      return inner.publish(topic, messages);
    },
    subscribe: (...args) => inner.subscribe(...args),
    lag: (topic, group) => inner.lag(topic, group),
    close: () => inner.close(),
  };
  return { queue, published, setDown: (d) => (down = d) };
}

function recordingLogger(): Logger & { records: { level: string }[] } {
  const records: { level: string }[] = [];
  const at = (level: string) => (): void => void records.push({ level });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    sid: `SM${String(from + i).padStart(32, '0')}`,
    account_sid: 'AC1',
  }));

describe('OutboundPublisher', () => {
  it('publishes at once while the queue is up', async () => {
    const { queue, published } = flakyQueue();
    const publisher = new OutboundPublisher(queue, recordingLogger());
    await publisher.publish(rows(0, 3));
    assert.equal(published.length, 3);
    assert.equal(publisher.backlog, 0);
    publisher.stop();
    await queue.close();
  });

  it('holds what an outage refuses without rejecting, and publishes it all once the queue is back', async () => {
    const { queue, published, setDown } = flakyQueue();
    const log = recordingLogger();
    const publisher = new OutboundPublisher(queue, log);
    setDown(true);
    await publisher.publish(rows(0, 5)); // resolves: the caller's 201 does not depend on the broker
    await publisher.publish(rows(5, 5));
    assert.equal(publisher.backlog, 10);
    assert.equal(published.length, 0);
    await new Promise((r) => setTimeout(r, 250)); // a retry or two fail while still down
    assert.equal(publisher.backlog, 10);
    setDown(false);
    await until(() => publisher.backlog === 0);
    assert.deepEqual(
      published.map((m) => (JSON.parse(m.value) as { sid: string }).sid).sort(),
      rows(0, 10).map((r) => r.sid),
    );
    assert.equal(log.records.filter((r) => r.level === 'warn').length, 1, 'one warning per outage');
    publisher.stop();
    await queue.close();
  });

  it('stops retrying once stopped (recovery at the next start re-queues what is held)', async () => {
    const { queue, published, setDown } = flakyQueue();
    const publisher = new OutboundPublisher(queue, recordingLogger());
    setDown(true);
    await publisher.publish(rows(0, 2));
    publisher.stop();
    setDown(false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(published.length, 0);
    assert.equal(publisher.backlog, 2);
    await queue.close();
  });
});
