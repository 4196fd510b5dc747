import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { waitUntil } from '../contract/wait.js';
import { isBackendError } from '../errors.js';
import { openRedisPubSub } from './redis-pubsub.js';
import type { RedisPubSub, RedisPubSubOptions } from './redis-pubsub.js';
import { REDIS_URL, runPrefix, TcpRelay } from './test-support.js';

describe('Redis pub/sub', () => {
  const opened: RedisPubSub[] = [];
  const prefix = runPrefix('pubsub');

  async function open(options: Partial<RedisPubSubOptions> = {}): Promise<RedisPubSub> {
    const pubsub = await openRedisPubSub({ url: REDIS_URL, keyPrefix: prefix, ...options });
    opened.push(pubsub);
    return pubsub;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()));
  });

  it('delivers a message to every handler of the channel, with the unprefixed channel name', async () => {
    const sender = await open();
    const receiver = await open();
    const first: string[] = [];
    const second: string[] = [];
    await receiver.subscribe('routes', (message, channel) => first.push(`${channel}=${message}`));
    await receiver.subscribe('routes', (message, channel) => second.push(`${channel}=${message}`));
    assert.equal(await sender.publish('routes', 'AC1'), 1, 'one subscriber connection received it');
    await waitUntil(() => first.length === 1 && second.length === 1, 'both handlers to hear the message');
    assert.deepEqual(first, ['routes=AC1']);
    assert.deepEqual(second, ['routes=AC1']);
  });

  it('keeps channels of different prefixes apart', async () => {
    const sender = await open();
    const receiver = await open({ keyPrefix: runPrefix('pubsub-other') });
    const heard: string[] = [];
    await receiver.subscribe('routes', (message) => heard.push(message));
    assert.equal(await sender.publish('routes', 'elsewhere'), 0);
    assert.deepEqual(heard, []);
  });

  it('stops delivering to a handler once it unsubscribed, and leaves the channel with the last one', async () => {
    const sender = await open();
    const receiver = await open();
    const kept: string[] = [];
    const dropped: string[] = [];
    await receiver.subscribe('ch', (message) => kept.push(message));
    const unsubscribe = await receiver.subscribe('ch', (message) => dropped.push(message));
    await unsubscribe();
    await unsubscribe(); // a second call is harmless
    await sender.publish('ch', 'one');
    await waitUntil(() => kept.length === 1, 'the remaining handler to hear the message');
    assert.deepEqual(dropped, []);

    const lone = await receiver.subscribe('lone', () => {});
    assert.equal(await sender.publish('lone', 'x'), 1);
    await lone();
    assert.equal(await sender.publish('lone', 'x'), 0, 'the connection left the channel');
  });

  it('keeps delivering to other handlers when one throws, and reports the throw', async () => {
    const sender = await open();
    const failures: string[] = [];
    const receiver = await open({
      onHandlerError: (error, channel) => failures.push(`${channel}: ${(error as Error).message}`),
    });
    const heard: string[] = [];
    await receiver.subscribe('ch', () => {
      throw new Error('boom');
    });
    await receiver.subscribe('ch', (message) => heard.push(message));
    await sender.publish('ch', 'm1');
    await sender.publish('ch', 'm2');
    await waitUntil(() => heard.length === 2, 'both messages');
    assert.deepEqual(heard, ['m1', 'm2']);
    assert.deepEqual(failures, ['ch: boom', 'ch: boom']);
  });

  it('refuses calls with CACHE_CLOSED once closed', async () => {
    const pubsub = await openRedisPubSub({ url: REDIS_URL, keyPrefix: prefix });
    await pubsub.close();
    await pubsub.close();
    await assert.rejects(pubsub.publish('ch', 'x'), (error: unknown) =>
      isBackendError(error, 'CACHE_CLOSED'),
    );
    await assert.rejects(
      pubsub.subscribe('ch', () => {}),
      (error: unknown) => isBackendError(error, 'CACHE_CLOSED'),
    );
  });

  describe('across a lost connection', () => {
    const relay = new TcpRelay(REDIS_URL);
    after(async () => {
      await relay.cut();
    });

    it('subscribes again after reconnecting and says so', async () => {
      await relay.start();
      let reconnects = 0;
      const receiver = await open({ url: relay.url, onReconnect: () => reconnects++ });
      const sender = await open();
      const heard: string[] = [];
      await receiver.subscribe('ch', (message) => heard.push(message));
      await relay.cut();
      await relay.restore();
      await waitUntil(() => reconnects === 1, 'the subscriber to reconnect');
      // onReconnect runs once the SUBSCRIBE is confirmed, so this message is delivered.
      assert.equal(await sender.publish('ch', 'after'), 1);
      await waitUntil(() => heard.length === 1, 'the message sent after the reconnect');
      assert.deepEqual(heard, ['after']);
    });
  });
});
