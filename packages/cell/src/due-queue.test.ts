import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue } from './due-queue.js';

/** The queue's timer is unref'd by design; a ref'd interval keeps the test's event loop alive meanwhile. */
async function keepingAlive<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 1000);
  try {
    return await work();
  } finally {
    clearInterval(hold);
  }
}

describe('DueQueue', () => {
  it('hands items over in due-time order, FIFO among equal times', async () => {
    const seen: string[] = [];
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((r) => (resolveAll = r));
    const q = new DueQueue<string>((item) => {
      seen.push(item);
      if (seen.length === 5) resolveAll();
    });
    const t = Date.now();
    q.schedule('c', t + 30);
    q.schedule('a', t + 5);
    q.schedule('d', t + 30);
    q.schedule('now', t - 1000);
    q.schedule('b', t + 10);
    await keepingAlive(() => all);
    assert.deepEqual(seen, ['now', 'a', 'b', 'c', 'd']);
    assert.equal(q.size, 0);
    q.close();
  });

  it('fires when its timer fires even if the injected clock stands still', async () => {
    const frozen = 1_000;
    let resolve: (v: string) => void = () => {};
    const got = new Promise<string>((r) => (resolve = r));
    const q = new DueQueue<string>(resolve, () => frozen);
    q.schedule('x', frozen + 5);
    assert.equal(await keepingAlive(() => got), 'x');
    q.close();
  });

  it('drops everything on close', () => {
    const q = new DueQueue<string>(() => assert.fail('nothing is due after close'));
    q.schedule('x', Date.now());
    q.close();
    q.schedule('y', Date.now());
    assert.equal(q.size, 0);
  });
});
