import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SuperNetworkError } from './errors.js';
import { HandsetRegistry } from './handset-registry.js';
import type { HandsetMessage } from './types.js';

function received(to: string, body: string, at: number): HandsetMessage {
  return {
    direction: 'in',
    from: '+15005550006',
    to,
    body,
    mediaUrls: [],
    carrier: 'c',
    messageSid: 'SM1',
    at,
  };
}

test('inbox keeps messages oldest first, filters by since and limit, and is bounded', async () => {
  const handsets = new HandsetRegistry({ maxMessagesPerHandset: 3 });
  for (let i = 1; i <= 4; i++) handsets.deliver(received('+14155550100', `m${i}`, i * 10));
  assert.deepEqual(
    (await handsets.inbox('+14155550100')).map((m) => m.body),
    ['m2', 'm3', 'm4'],
  );
  assert.deepEqual(
    (await handsets.inbox('+14155550100', { since: 30 })).map((m) => m.body),
    ['m3', 'm4'],
  );
  assert.deepEqual(
    (await handsets.inbox('+14155550100', { limit: 1 })).map((m) => m.body),
    ['m4'],
  );
  assert.deepEqual(await handsets.inbox('+19999999999'), []);
  await handsets.clear('+14155550100');
  assert.deepEqual(await handsets.inbox('+14155550100'), []);
});

test('waitFor resolves with an existing or a later matching message, and times out with a stable code', async () => {
  const handsets = new HandsetRegistry();
  handsets.deliver(received('+14155550100', 'old', 5));
  assert.equal((await handsets.waitFor('+14155550100', { timeoutMs: 100 })).body, 'old');
  const later = handsets.waitFor('+14155550100', {
    since: 10,
    timeoutMs: 5000,
    predicate: (m) => m.body.includes('code'),
  });
  handsets.deliver(received('+14155550100', 'not this one', 20));
  handsets.deliver(received('+14155550100', 'your code 1234', 30));
  assert.equal((await later).body, 'your code 1234');
  await assert.rejects(handsets.waitFor('+14155550101', { timeoutMs: 10 }), (error: unknown) => {
    assert.ok(error instanceof SuperNetworkError);
    assert.equal(error.code, 'HANDSET_WAIT_TIMEOUT');
    return true;
  });
});

test('send validates the number and records the sent message', async () => {
  const handsets = new HandsetRegistry();
  await assert.rejects(handsets.send({ from: '+1', to: '+15005550006', body: 'x' }), {
    code: 'INVALID_NUMBER',
  });
  await assert.rejects(handsets.send({ from: '+14155550100', to: '+15005550006', body: 'x' }), {
    code: 'NO_BOUND_CARRIER',
  });
  const seen: string[] = [];
  handsets.setSender(async (input) => {
    seen.push(input.body);
    return { carrier: 'home' };
  });
  const sent = await handsets.send({ from: '+14155550100', to: '+15005550006', body: 'hello' });
  assert.equal(sent.carrier, 'home');
  assert.deepEqual(seen, ['hello']);
  assert.deepEqual(await handsets.inbox('+14155550100'), [sent]);
});

test('watch replays what arrived since `since`, streams new messages, and stops when unwatched', () => {
  const handsets = new HandsetRegistry();
  handsets.deliver(received('+14155550100', 'too old', 5));
  handsets.deliver(received('+14155550100', 'kept', 10));
  const seen: string[] = [];
  const unwatch = handsets.watch('+14155550100', 10, (m) => seen.push(m.body));
  handsets.deliver(received('+14155550100', 'new', 20));
  handsets.deliver(received('+14155550199', 'other handset', 20));
  unwatch();
  handsets.deliver(received('+14155550100', 'after unwatch', 30));
  assert.deepEqual(seen, ['kept', 'new']);
});
