import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue } from './delay-queue.js';

test('jobs run in due order, ties in scheduling order', async () => {
  const ran: string[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const queue = new DelayQueue<string>((job) => {
    ran.push(job);
    if (ran.length === 5) finish();
  });
  queue.schedule(30, 'c');
  queue.schedule(0, 'a1');
  queue.schedule(10, 'b');
  queue.schedule(0, 'a2');
  queue.schedule(30, 'd');
  await finished;
  assert.deepEqual(ran, ['a1', 'a2', 'b', 'c', 'd']);
  assert.equal(queue.size, 0);
});

test('clear drops pending jobs', async () => {
  const ran: number[] = [];
  const queue = new DelayQueue<number>((n) => ran.push(n));
  queue.schedule(5, 1);
  queue.clear();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(ran, []);
});

test('a throwing job is reported and does not stop the others', async () => {
  const errors: unknown[] = [];
  const ran: number[] = [];
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const queue = new DelayQueue<number>(
    (n) => {
      if (n === 1) throw new Error('boom');
      ran.push(n);
      finish();
    },
    (e) => errors.push(e),
  );
  queue.schedule(0, 1);
  queue.schedule(0, 2);
  await finished;
  assert.deepEqual(ran, [2]);
  assert.equal(errors.length, 1);
});
