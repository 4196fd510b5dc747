import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitCoalescer } from './commit-coalescer.js';
import { PublishCoalescer } from './publish-coalescer.js';
import type { TopicMessages } from './publish-coalescer.js';

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PublishCoalescer', () => {
  it('sends the publishes of one turn together, grouped by topic in call order', async () => {
    const sends: TopicMessages[][] = [];
    const coalescer = new PublishCoalescer(
      async (batches) => {
        sends.push(batches);
      },
      { maxMessages: 100, maxChars: 10_000 },
    );
    await Promise.all([
      coalescer.publish('a', [{ key: 'k', value: '1' }]),
      coalescer.publish('b', [{ key: 'k', value: '2' }]),
      coalescer.publish('a', [{ key: 'k', value: '3' }]),
    ]);
    assert.deepEqual(sends, [
      [
        {
          topic: 'a',
          messages: [
            { key: 'k', value: '1' },
            { key: 'k', value: '3' },
          ],
        },
        { topic: 'b', messages: [{ key: 'k', value: '2' }] },
      ],
    ]);
    assert.deepEqual(coalescer.stats(), { sends: 1, publishes: 3, messages: 3 });
  });

  it('gathers publishes made while a send is in flight into the next send', async () => {
    const inFlight = deferred();
    const sizes: number[] = [];
    const coalescer = new PublishCoalescer(
      async (batches) => {
        sizes.push(batches[0]!.messages.length);
        if (sizes.length === 1) await inFlight.promise;
      },
      { maxMessages: 100, maxChars: 10_000 },
    );
    const first = coalescer.publish('t', [{ key: 'k', value: '0' }]);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3].map((i) => coalescer.publish('t', [{ key: 'k', value: String(i) }]));
    inFlight.resolve();
    await Promise.all([first, ...later]);
    assert.deepEqual(sizes, [1, 3]);
  });

  it('splits at the limits without splitting a publish, and fails only the callers of a failed send', async () => {
    const sent: string[][] = [];
    const coalescer = new PublishCoalescer(
      async (batches) => {
        const values = batches.flatMap((b) => b.messages.map((m) => m.value));
        sent.push(values);
        if (values.includes('bad')) throw new Error('send failed');
      },
      { maxMessages: 3, maxChars: 10_000 },
    );
    const results = await Promise.allSettled([
      coalescer.publish('t', [
        { key: 'k', value: 'a' },
        { key: 'k', value: 'b' },
      ]),
      coalescer.publish('t', [{ key: 'k', value: 'bad' }]),
      coalescer.publish('t', [
        { key: 'k', value: 'c' },
        { key: 'k', value: 'd' },
      ]),
    ]);
    assert.deepEqual(sent, [
      ['a', 'b', 'bad'],
      ['c', 'd'],
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'fulfilled'],
    );
    await coalescer.idle();
  });
});

describe('CommitCoalescer', () => {
  it('runs one commit for everyone who asked while another was in flight', async () => {
    const coalescer = new CommitCoalescer();
    const first = deferred();
    let runs = 0;
    const commit = (): Promise<void> => {
      runs += 1;
      return runs === 1 ? first.promise : Promise.resolve();
    };
    const a = coalescer.commit(commit);
    const b = coalescer.commit(commit);
    const c = coalescer.commit(commit);
    assert.equal(runs, 1);
    first.resolve();
    await Promise.all([a, b, c]);
    assert.equal(runs, 2, 'the askers during the first commit shared one more');
    await coalescer.commit(commit);
    assert.equal(runs, 3);
  });

  it('still runs the queued commit when the one in flight failed, and reports each outcome', async () => {
    const coalescer = new CommitCoalescer();
    let runs = 0;
    const commit = (): Promise<void> => {
      runs += 1;
      return runs === 1 ? Promise.reject(new Error('commit failed')) : Promise.resolve();
    };
    const failing = coalescer.commit(commit);
    const queued = coalescer.commit(commit);
    await assert.rejects(failing, /commit failed/);
    await queued;
    assert.equal(runs, 2);
  });
});
