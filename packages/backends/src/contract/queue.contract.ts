/**
 * The Queue contract: one suite every Queue implementation must pass (the in-process log
 * today, the Kafka adapter later). Topic and group names are unique per test so the suite
 * can run against a shared broker. The factory should use a short retry delay.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isBackendError } from '../errors.js';
import type { Queue, QueueMessage } from '../types.js';
import { settle, uniqueSuffix, waitUntil } from './wait.js';

export type QueueFactory = () => Queue | Promise<Queue>;

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function messages(key: string, from: number, count: number): QueueMessage[] {
  return Array.from({ length: count }, (_, i) => ({ key, value: JSON.stringify({ key, seq: from + i }) }));
}

function seqOf(message: QueueMessage): number {
  return (JSON.parse(message.value) as { seq: number }).seq;
}

/** Deterministic pseudo-random numbers (mulberry32) so a failing order is reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The commit follows the handler's resolution (on Kafka, asynchronously): polls the lag
 * until it reaches `expected` or a deadline passes, and returns the last value seen.
 */
async function lagOnceSettled(queue: Queue, topic: string, group: string, expected: number): Promise<number> {
  let lag = await queue.lag(topic, group);
  const giveUpAt = Date.now() + 10_000;
  while (lag !== expected && Date.now() < giveUpAt) {
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    lag = await queue.lag(topic, group);
  }
  return lag;
}

export function queueContract(name: string, factory: QueueFactory): void {
  describe(`Queue contract: ${name}`, () => {
    let queue: Queue;
    let topic: string;

    beforeEach(async () => {
      queue = await factory();
      topic = `contract.${uniqueSuffix()}`;
    });
    afterEach(async () => {
      await queue.close();
    });

    it('keeps per-key order with many partitions worked on concurrently', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `AC${i.toString(16).padStart(32, '0')}`);
      const perKey = 50;
      const seen = new Map<string, number[]>(keys.map((k) => [k, []]));
      const next = random(7);
      let handled = 0;
      let running = 0;
      let mostRunning = 0;
      await queue.subscribe(
        topic,
        'ordered',
        async (batch) => {
          running += 1;
          mostRunning = Math.max(mostRunning, running);
          // Handlers finish out of order across partitions.
          const turns = Math.floor(next() * 4);
          for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          for (const message of batch) seen.get(message.key)!.push(seqOf(message));
          handled += batch.length;
          running -= 1;
        },
        { concurrency: 4, maxBatch: 7 },
      );
      // Interleaved publishes, several keys per call, as concurrent requests would make them.
      for (let round = 0; round < perKey / 10; round++) {
        for (let k = 0; k < keys.length; k += 4) {
          const chunk = keys.slice(k, k + 4).flatMap((key) => messages(key, round * 10, 10));
          await queue.publish(topic, chunk);
        }
      }
      await waitUntil(() => handled >= keys.length * perKey, 'every message to be handled');
      const expected = Array.from({ length: perKey }, (_, i) => i);
      for (const key of keys) assert.deepEqual(seen.get(key), expected, `order of ${key}`);
      assert.ok(mostRunning <= 4, `concurrency 4 exceeded: ${mostRunning} handlers at once`);
      assert.equal(await lagOnceSettled(queue, topic, 'ordered', 0), 0);
    });

    it('retries a batch whose handler throws, without skipping it or breaking order', async () => {
      const key = 'AC-retry';
      const seen: number[] = [];
      let failures = 0;
      await queue.subscribe(
        topic,
        'retrying',
        async (batch) => {
          if (failures < 2 && batch.some((m) => seqOf(m) === 5)) {
            failures += 1;
            throw new Error('handler failure the contract provokes');
          }
          for (const message of batch) seen.push(seqOf(message));
        },
        { maxBatch: 3 },
      );
      await queue.publish(topic, messages(key, 0, 10));
      await waitUntil(() => seen.length >= 10, 'all ten messages');
      assert.equal(failures, 2);
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(await lagOnceSettled(queue, topic, 'retrying', 0), 0);
    });

    it('counts lag as published minus committed for the group', async () => {
      const release = gate();
      let handled = 0;
      await queue.subscribe(
        topic,
        'laggard',
        async (batch) => {
          await release.promise;
          handled += batch.length;
        },
        { concurrency: 2 },
      );
      await queue.publish(topic, [...messages('k1', 0, 6), ...messages('k2', 0, 4)]);
      await settle();
      assert.equal(await queue.lag(topic, 'laggard'), 10);
      release.open();
      await waitUntil(() => handled === 10, 'the held batches to finish');
      assert.equal(await lagOnceSettled(queue, topic, 'laggard', 0), 0);
    });

    it('hands a backlog published before any subscription to a late group, and every group gets every message', async () => {
      await queue.publish(topic, messages('k', 0, 30));
      const groupA: number[] = [];
      const groupB: number[] = [];
      await queue.subscribe(topic, 'late-a', async (batch) => {
        for (const m of batch) groupA.push(seqOf(m));
      });
      await queue.subscribe(topic, 'late-b', async (batch) => {
        for (const m of batch) groupB.push(seqOf(m));
      });
      await queue.publish(topic, messages('k', 30, 5));
      await waitUntil(() => groupA.length >= 35 && groupB.length >= 35, 'both groups to read 35 messages');
      const expected = Array.from({ length: 35 }, (_, i) => i);
      assert.deepEqual(groupA, expected);
      assert.deepEqual(groupB, expected);
    });

    it('waits for in-flight handlers when a subscription closes, then delivers no more', async () => {
      const release = gate();
      let started = 0;
      let finished = 0;
      const subscription = await queue.subscribe(topic, 'closing', async (batch) => {
        started += batch.length;
        await release.promise;
        finished += batch.length;
      });
      await queue.publish(topic, messages('k', 0, 1));
      await waitUntil(() => started === 1, 'the handler to start');
      let closed = false;
      const closing = subscription.close().then(() => (closed = true));
      await settle(20);
      assert.equal(closed, false, 'close resolved while a handler was still running');
      release.open();
      await closing;
      assert.equal(finished, 1, 'close resolved before the handler finished');
      await queue.publish(topic, messages('k', 1, 3));
      await settle(20);
      assert.equal(started, 1, 'a closed subscription was handed more messages');
    });

    it('refuses to publish once the queue is closed', async () => {
      await queue.close();
      await assert.rejects(queue.publish(topic, messages('k', 0, 1)), (error: unknown) => {
        assert.ok(isBackendError(error, 'QUEUE_CLOSED'), String(error));
        return true;
      });
    });
  });
}
