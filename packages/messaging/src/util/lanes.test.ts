import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLanes } from './lanes.js';

describe('KeyedLanes', () => {
  it('runs work on one key strictly in order, and different keys concurrently', async () => {
    const lanes = new KeyedLanes();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const gate = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const first = lanes.run(['a'], async () => {
      events.push('a1 start');
      await gate;
      events.push('a1 end');
    });
    const second = lanes.run(['a'], async () => {
      events.push('a2');
    });
    const other = lanes.run(['b'], async () => {
      events.push('b');
    });
    await other;
    assert.deepEqual(events, ['a1 start', 'b']);
    releaseFirst();
    await Promise.all([first, second]);
    assert.deepEqual(events, ['a1 start', 'b', 'a1 end', 'a2']);
    assert.equal(lanes.size, 0);
  });

  it('a multi-key run waits for every key, and a failure releases the lane', async () => {
    const lanes = new KeyedLanes();
    await assert.rejects(
      lanes.run(['x'], async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    const order: string[] = [];
    const y = lanes.run(['y'], async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('y');
    });
    const both = lanes.run(['x', 'y'], async () => {
      order.push('x+y');
    });
    await Promise.all([y, both]);
    assert.deepEqual(order, ['y', 'x+y']);
  });
});
