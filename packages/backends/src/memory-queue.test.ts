import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queueContract } from './contract/queue.contract.js';
import { settle, waitUntil } from './contract/wait.js';
import { isBackendError } from './errors.js';
import { createMemoryQueue } from './memory-queue.js';
import { partitionOf } from './partition-log.js';
import type { QueueMessage } from './types.js';

queueContract('memory', () => createMemoryQueue({ retryDelayMs: 5 }));
queueContract('memory (one partition)', () => createMemoryQueue({ partitions: 1, retryDelayMs: 5 }));

function msgs(key: string, count: number): QueueMessage[] {
  return Array.from({ length: count }, (_, i) => ({ key, value: String(i) }));
}

describe('createMemoryQueue', () => {
  it('trims a message once every group has committed it', async () => {
    const queue = createMemoryQueue({ retryDelayMs: 5 });
    try {
      let fastSeen = 0;
      let slowSeen = 0;
      let releaseSlow!: () => void;
      const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
      await queue.subscribe('t', 'fast', async (batch) => {
        fastSeen += batch.length;
      });
      await queue.subscribe('t', 'slow', async (batch) => {
        await slowGate;
        slowSeen += batch.length;
      });
      await queue.publish('t', [...msgs('a', 5), ...msgs('b', 5)]);
      await waitUntil(() => fastSeen === 10, 'the fast group');
      assert.equal(queue.retained('t'), 10, 'the slow group still needs them');
      releaseSlow();
      await waitUntil(() => slowSeen === 10, 'the slow group');
      await settle();
      assert.equal(queue.retained('t'), 0);
    } finally {
      await queue.close();
    }
  });

  it('retains messages of a topic nobody subscribed to yet', async () => {
    const queue = createMemoryQueue();
    try {
      await queue.publish('t', msgs('a', 3));
      assert.equal(queue.retained('t'), 3);
      assert.equal(await queue.lag('t', 'future-group'), 3);
      assert.equal(await queue.lag('unknown-topic', 'g'), 0);
    } finally {
      await queue.close();
    }
  });

  it('resumes a group at its committed offset after its subscription closed', async () => {
    const queue = createMemoryQueue();
    try {
      const seen: string[] = [];
      const first = await queue.subscribe('t', 'g', async (batch) => {
        for (const m of batch) seen.push(m.value);
      });
      await queue.publish('t', msgs('k', 3));
      await waitUntil(() => seen.length === 3, 'the first three');
      await first.close();
      await queue.publish('t', [{ key: 'k', value: 'later' }]);
      assert.equal(await queue.lag('t', 'g'), 1);
      await queue.subscribe('t', 'g', async (batch) => {
        for (const m of batch) seen.push(m.value);
      });
      await waitUntil(() => seen.length === 4, 'the one published while away');
      assert.deepEqual(seen, ['0', '1', '2', 'later']);
    } finally {
      await queue.close();
    }
  });

  it('refuses a second live subscription of one group', async () => {
    const queue = createMemoryQueue();
    try {
      await queue.subscribe('t', 'g', async () => {});
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}),
        (error: unknown) => isBackendError(error, 'QUEUE_GROUP_ACTIVE'),
      );
    } finally {
      await queue.close();
    }
  });

  it('rejects invalid options with INVALID_ARGUMENT', async () => {
    assert.throws(
      () => createMemoryQueue({ partitions: 0 }),
      (error: unknown) => isBackendError(error, 'INVALID_ARGUMENT'),
    );
    const queue = createMemoryQueue();
    try {
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}, { concurrency: 0 }),
        (error: unknown) => isBackendError(error, 'INVALID_ARGUMENT'),
      );
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}, { maxBatch: 1.5 }),
        (error: unknown) => isBackendError(error, 'INVALID_ARGUMENT'),
      );
    } finally {
      await queue.close();
    }
  });

  it('reports each handler failure to onHandlerError and stops retrying once closed', async () => {
    const failures: { partition: number; group: string }[] = [];
    const queue = createMemoryQueue({
      retryDelayMs: 1,
      onHandlerError: (_error, where) => failures.push({ partition: where.partition, group: where.group }),
    });
    let calls = 0;
    await queue.subscribe('t', 'g', async () => {
      calls += 1;
      throw new Error('always fails');
    });
    await queue.publish('t', msgs('k', 1));
    await waitUntil(() => failures.length >= 3, 'three failures');
    assert.deepEqual(failures[0], { partition: partitionOf('k', 16), group: 'g' });
    await queue.close();
    const callsAtClose = calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(calls, callsAtClose, 'a retry ran after close');
    assert.equal(await queue.lag('t', 'g'), 1, 'the failed message is still owed');
  });

  it('hands batches of at most maxBatch from one partition', async () => {
    const queue = createMemoryQueue({ partitions: 1 });
    try {
      const sizes: number[] = [];
      await queue.publish('t', msgs('k', 10));
      await queue.subscribe(
        't',
        'g',
        async (batch) => {
          sizes.push(batch.length);
        },
        { maxBatch: 4 },
      );
      await waitUntil(() => sizes.reduce((a, b) => a + b, 0) === 10, 'all ten');
      assert.deepEqual(sizes, [4, 4, 2]);
    } finally {
      await queue.close();
    }
  });
});

describe('partitionOf', () => {
  it('is stable and spreads keys over every partition', () => {
    assert.equal(partitionOf('AC123', 16), partitionOf('AC123', 16));
    const used = new Set<number>();
    for (let i = 0; i < 1_000; i++) {
      const p = partitionOf(`AC${i}`, 16);
      assert.ok(p >= 0 && p < 16);
      used.add(p);
    }
    assert.equal(used.size, 16);
  });
});
