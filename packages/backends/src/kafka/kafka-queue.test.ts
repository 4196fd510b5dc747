import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { waitUntil } from '../contract/wait.js';
import { isBackendError } from '../errors.js';
import type { QueueMessage } from '../types.js';
import { openKafkaQueue } from './kafka-queue.js';
import type { KafkaQueue } from './kafka-queue.js';
import { deleteByPrefix, openTestQueue, runPrefix, startOutageProxy, testAdmin } from './test-support.js';

const prefix = runPrefix('queue');
after(() => deleteByPrefix(prefix));

let counter = 0;
/** A prefix per test, inside the run's prefix so cleanup finds it. */
function testPrefix(): string {
  counter += 1;
  return `${prefix}${counter}.`;
}

function numbered(key: string, from: number, count: number): QueueMessage[] {
  return Array.from({ length: count }, (_, i) => ({ key, value: String(from + i) }));
}

async function withQueue<T>(queue: KafkaQueue, body: (queue: KafkaQueue) => Promise<T>): Promise<T> {
  try {
    return await body(queue);
  } finally {
    await queue.close();
  }
}

describe('openKafkaQueue', () => {
  it('creates prefixed topics with the configured partition count on first publish', async () => {
    const topicPrefix = testPrefix();
    await withQueue(await openTestQueue({ topicPrefix, partitions: 5 }), async (queue) => {
      assert.equal(queue.kafkaTopic('messages.outbound'), `${topicPrefix}messages.outbound`);
      await queue.publish('messages.outbound', numbered('k', 0, 1));
      const admin = testAdmin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [`${topicPrefix}messages.outbound`] });
        assert.equal(topics[0]?.partitions.length, 5);
      } finally {
        await admin.disconnect();
      }
    });
  });

  it('keeps per-key order across partitions when many publishes run at once, and coalesces them', async () => {
    await withQueue(await openTestQueue({ topicPrefix: testPrefix() }), async (queue) => {
      const keys = Array.from({ length: 40 }, (_, i) => `AC${i}`);
      const perKey = 25;
      const seen = new Map<string, number[]>(keys.map((k) => [k, []]));
      let handled = 0;
      await queue.subscribe(
        't',
        'g',
        async (batch) => {
          for (const m of batch) seen.get(m.key)!.push(Number(m.value));
          handled += batch.length;
        },
        { concurrency: 8, maxBatch: 16 },
      );
      // One publish per message, none awaited before the next: the way concurrent requests
      // publish. Calls for one key are made in order, so they must be delivered in order.
      const publishes: Promise<void>[] = [];
      for (let seq = 0; seq < perKey; seq++) {
        for (const key of keys) publishes.push(queue.publish('t', [{ key, value: String(seq) }]));
      }
      await Promise.all(publishes);
      const stats = queue.stats();
      assert.equal(stats.publishes, keys.length * perKey);
      assert.ok(stats.sends < stats.publishes / 10, `publishes were not coalesced: ${JSON.stringify(stats)}`);
      await waitUntil(() => handled >= keys.length * perKey, 'every message');
      const expected = Array.from({ length: perKey }, (_, i) => i);
      for (const key of keys) assert.deepEqual(seen.get(key), expected, `order of ${key}`);
      const admin = testAdmin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(queue.kafkaTopic('t'));
        const used = offsets.filter((p) => Number(p.high) > 0).length;
        assert.ok(used > 1, `all keys landed in ${used} partition(s); the test needs several`);
      } finally {
        await admin.disconnect();
      }
    });
  });

  it('counts lag for a group that never subscribed, and 0 for an unknown topic', async () => {
    await withQueue(await openTestQueue({ topicPrefix: testPrefix() }), async (queue) => {
      await queue.publish('t', [...numbered('a', 0, 4), ...numbered('b', 0, 3)]);
      assert.equal(await queue.lag('t', 'nobody'), 7);
      assert.equal(await queue.lag('never-published', 'nobody'), 0);
    });
  });

  it('commits only what the handler finished: a closed subscription leaves the rest to the next one', async () => {
    const topicPrefix = testPrefix();
    let failures = 0;
    const firstSeen: number[] = [];
    await withQueue(await openTestQueue({ topicPrefix }), async (queue) => {
      const subscription = await queue.subscribe(
        't',
        'g',
        async (batch) => {
          const seq = Number(batch[0]!.value);
          if (seq === 5) {
            failures += 1;
            throw new Error('provoked failure');
          }
          firstSeen.push(seq);
        },
        { maxBatch: 1 },
      );
      await queue.publish('t', numbered('k', 0, 10));
      await waitUntil(() => failures >= 2, 'the handler to fail on 5 twice');
      await subscription.close();
      assert.deepEqual(firstSeen, [0, 1, 2, 3, 4]);
      assert.equal(await queue.lag('t', 'g'), 5, 'only 0..4 are committed');
    });
    // A new queue (as after a restart) resumes the group exactly at the first unfinished one.
    const again: number[] = [];
    await withQueue(await openTestQueue({ topicPrefix }), async (queue) => {
      await queue.subscribe('t', 'g', async (batch) => {
        for (const m of batch) again.push(Number(m.value));
      });
      await waitUntil(() => again.length >= 5, 'the five unfinished messages');
      assert.deepEqual(again, [5, 6, 7, 8, 9]);
    });
  });

  it('redelivers a batch whose consumer process was killed mid-handler', { timeout: 60_000 }, async () => {
    const topicPrefix = testPrefix();
    await withQueue(await openTestQueue({ topicPrefix, sessionTimeoutMs: 6_000 }), async (queue) => {
      await queue.publish('t', numbered('k', 0, 3));
      const childPath = fileURLToPath(new URL('./kafka-crash-child.js', import.meta.url));
      const child = spawn(process.execPath, [childPath, topicPrefix, 't', 'g'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      try {
        await waitUntil(() => output.includes('handling'), 'the child to be handed the batch', 30_000);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.match(output, /handling \["0","1","2"\]/);
      assert.equal(await queue.lag('t', 'g'), 3, 'the killed handler committed nothing');
      const seen: string[] = [];
      // Joining waits until the broker gives up on the killed member (its session timeout).
      await queue.subscribe('t', 'g', async (batch) => {
        for (const m of batch) seen.push(m.value);
      });
      await waitUntil(() => seen.length >= 3, 'the redelivered batch', 30_000);
      assert.deepEqual(seen, ['0', '1', '2']);
    });
  });

  it('refuses a second live subscription of one group, but not the same group on another topic', async () => {
    await withQueue(await openTestQueue({ topicPrefix: testPrefix() }), async (queue) => {
      const first = await queue.subscribe('t', 'g', async () => {});
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}),
        (error: unknown) => isBackendError(error, 'QUEUE_GROUP_ACTIVE'),
      );
      const other = await queue.subscribe('u', 'g', async () => {});
      await other.close();
      await first.close();
      // Once closed, the group may subscribe again.
      const second = await queue.subscribe('t', 'g', async () => {});
      await second.close();
    });
  });

  it('rejects every call once closed with QUEUE_CLOSED', async () => {
    const queue = await openTestQueue({ topicPrefix: testPrefix() });
    await queue.close();
    await queue.close();
    for (const call of [
      () => queue.publish('t', numbered('k', 0, 1)),
      () => queue.subscribe('t', 'g', async () => {}),
      () => queue.lag('t', 'g'),
    ]) {
      await assert.rejects(call(), (error: unknown) => isBackendError(error, 'QUEUE_CLOSED'));
    }
  });

  it('rejects invalid options and names with INVALID_ARGUMENT', async () => {
    const invalid = (error: unknown): boolean => isBackendError(error, 'INVALID_ARGUMENT');
    await assert.rejects(openKafkaQueue({ brokers: [] }), invalid);
    await assert.rejects(openKafkaQueue({ brokers: ['127.0.0.1:1'], partitions: 0 }), invalid);
    await assert.rejects(openKafkaQueue({ brokers: ['127.0.0.1:1'], topicPrefix: 'bad prefix' }), invalid);
    await withQueue(await openTestQueue({ topicPrefix: testPrefix() }), async (queue) => {
      await assert.rejects(queue.publish('has space', numbered('k', 0, 1)), invalid);
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}, { concurrency: 0 }),
        invalid,
      );
      await assert.rejects(
        queue.subscribe('t', 'g', async () => {}, { maxBatch: 1.5 }),
        invalid,
      );
    });
  });

  it('says the broker is unreachable when nothing listens at the address', async () => {
    const port = await freePort();
    await assert.rejects(
      openKafkaQueue({ brokers: [`127.0.0.1:${port}`], retries: 1, logLevel: 'nothing' }),
      (error: unknown) => {
        assert.ok(isBackendError(error), String(error));
        assert.match(error.message, new RegExp(`Kafka broker unreachable at 127\\.0\\.0\\.1:${port}`));
        return true;
      },
    );
  });

  it('recovers publishing and consuming after a broker outage', { timeout: 60_000 }, async () => {
    const proxy = await startOutageProxy();
    try {
      await withQueue(
        await openTestQueue({
          topicPrefix: testPrefix(),
          socketFactory: proxy.socketFactory,
          retries: 2,
          logLevel: 'nothing',
          sessionTimeoutMs: 6_000,
        }),
        async (queue) => {
          const seen: number[] = [];
          await queue.subscribe('t', 'g', async (batch) => {
            for (const m of batch) seen.push(Number(m.value));
          });
          await queue.publish('t', numbered('k', 0, 10));
          await waitUntil(() => seen.length >= 10, 'the messages before the outage');

          await proxy.down();
          await assert.rejects(queue.publish('t', numbered('k', 100, 1)), (error: unknown) => {
            assert.ok(isBackendError(error), String(error));
            assert.match(error.message, /Kafka broker unreachable/);
            return true;
          });

          await proxy.up();
          // The consumer's rejoin waits for its pre-outage self to expire (sessionTimeoutMs).
          await queue.publish('t', numbered('k', 10, 10));
          await waitUntil(() => seen.includes(19), 'the messages after the outage', 30_000);
          // At-least-once: a redelivery may repeat, but nothing is lost or reordered.
          const firstTimes = seen.filter((seq, i) => seen.indexOf(seq) === i && seq < 100);
          assert.deepEqual(
            firstTimes,
            Array.from({ length: 20 }, (_, i) => i),
          );
        },
      );
    } finally {
      await proxy.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
