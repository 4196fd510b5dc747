import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OriginLanes } from './origin-lanes.js';

describe('OriginLanes', () => {
  it('runs at most `limit` per origin, FIFO, without blocking other origins', () => {
    const started: string[] = [];
    const lanes = new OriginLanes<string>(2, (item) => started.push(item));
    for (const i of [1, 2, 3, 4]) lanes.submit('http://slow', `slow${i}`);
    lanes.submit('http://fast', 'fast1');
    assert.deepEqual(started, ['slow1', 'slow2', 'fast1']);
    assert.equal(lanes.waiting, 2);
    lanes.release('http://slow');
    assert.deepEqual(started, ['slow1', 'slow2', 'fast1', 'slow3']);
    lanes.release('http://slow');
    lanes.release('http://slow');
    assert.deepEqual(started.slice(3), ['slow3', 'slow4']);
    assert.equal(lanes.waiting, 0);
  });

  it('copes with a run that releases synchronously', () => {
    const started: number[] = [];
    const lanes: OriginLanes<number> = new OriginLanes<number>(1, (n) => {
      started.push(n);
      lanes.release('o');
    });
    for (let i = 0; i < 5; i++) lanes.submit('o', i);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(lanes.waiting, 0);
  });
});
