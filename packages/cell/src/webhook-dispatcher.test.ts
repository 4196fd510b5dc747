import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormParams, TwilioError, validateWebhookSignature } from '@twilio-lab/core';
import { openMemoryStore, openSqliteStore } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import { createRegistry } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';
import { createWebhookDispatcher } from './webhook-dispatcher.js';
import type { OutboxWebhookDispatcher, WebhookDispatcherOptions } from './webhook-dispatcher.js';
import {
  TEST_ACCOUNT_SID,
  TEST_AUTH_TOKEN,
  fakeIdentity,
  recordingLogger,
  refusedOrigin,
  startSink,
} from './test-support.js';
import type { Sink } from './test-support.js';
import type { WebhookRequest } from './types.js';

const DRAIN_MS = 10_000;

/** The value of one series of a registry's metric (undefined when the series does not exist). */
async function seriesValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name.replace(/_(count|sum)$/, ''));
  // Histogram samples carry their series name (…_count, …_sum, …_bucket) in metricName.
  const got = ((await metric?.get())?.values ?? []) as {
    metricName?: string;
    labels: object;
    value: number;
  }[];
  const match = got.find(
    (v) =>
      (v.metricName ?? name) === name &&
      Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
  );
  return match?.value;
}

function callback(url: string, extra: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    accountSid: TEST_ACCOUNT_SID,
    url,
    method: 'POST',
    params: { MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'delivered', To: '+15005550006' },
    kind: 'message-status',
    resourceSid: 'SM' + '1'.repeat(32),
    ...extra,
  };
}

describe('createWebhookDispatcher', () => {
  let store: Store;
  let sinks: Sink[];
  let dispatchers: OutboxWebhookDispatcher[];

  async function dispatcher(
    options: Partial<WebhookDispatcherOptions> = {},
  ): Promise<OutboxWebhookDispatcher> {
    const d = createWebhookDispatcher({
      store,
      identity: fakeIdentity(),
      log: recordingLogger(),
      baseDelayMs: 2,
      maxDelayMs: 20,
      ...options,
    });
    await (options.store ?? store).migrate(d.migrations);
    await d.start();
    dispatchers.push(d);
    return d;
  }

  async function sink(...args: Parameters<typeof startSink>): Promise<Sink> {
    const s = await startSink(...args);
    sinks.push(s);
    return s;
  }

  beforeEach(async () => {
    store = await openMemoryStore();
    sinks = [];
    dispatchers = [];
  });

  afterEach(async () => {
    for (const d of dispatchers) await d.stop();
    for (const s of sinks) await s.close();
    await store.close();
  });

  it('POSTs a form body signed with the account auth token and Twilio headers', async () => {
    const s = await sink();
    const d = await dispatcher({ region: 'ie1' });
    const url = `${s.origin}/status?x=1`;
    await d.enqueue(callback(url, { requestId: 'RQ' + 'f'.repeat(32) }));
    await d.drain(DRAIN_MS);

    assert.equal(s.requests.length, 1);
    const got = s.requests[0];
    assert.ok(got !== undefined);
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/status?x=1');
    assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.equal(got.headers['user-agent'], 'TwilioProxy/1.1');
    assert.equal(got.headers['x-home-region'], 'ie1');
    assert.equal(got.headers['twilio-request-id'], 'RQ' + 'f'.repeat(32));
    assert.ok(typeof got.headers['i-twilio-idempotency-token'] === 'string');
    const params = FormParams.parse(got.body).toObject();
    assert.deepEqual(params, callback(url).params);
    const signature = String(got.headers['x-twilio-signature']);
    assert.ok(validateWebhookSignature(TEST_AUTH_TOKEN, signature, url, params));
    assert.ok(!validateWebhookSignature('f'.repeat(32), signature, url, params));
    assert.equal(await d.pending(), 0);
  });

  it('sends GET callbacks with the params in the query, signed over the full URL', async () => {
    const s = await sink();
    const d = await dispatcher();
    await d.enqueue(
      callback(`${s.origin}/get?a=b`, { method: 'GET', params: { MessageStatus: 'sent', To: '+1 2' } }),
    );
    await d.drain(DRAIN_MS);

    const got = s.requests[0];
    assert.ok(got !== undefined);
    assert.equal(got.method, 'GET');
    assert.equal(got.body, '');
    const [path, query] = got.url.split('?');
    assert.equal(path, '/get');
    assert.deepEqual(FormParams.parse(query ?? '').toObject(), { a: 'b', MessageStatus: 'sent', To: '+1 2' });
    assert.ok(
      validateWebhookSignature(
        TEST_AUTH_TOKEN,
        String(got.headers['x-twilio-signature']),
        s.origin + got.url,
        {},
      ),
    );
  });

  it('retries a 500 with the same idempotency token and deletes the row after the 2xx', async () => {
    const s = await sink((_req, i) => ({ status: i === 0 ? 500 : 204 }));
    const d = await dispatcher();
    await d.enqueue(callback(`${s.origin}/flaky`));
    await d.drain(DRAIN_MS);

    assert.equal(s.requests.length, 2);
    const [first, second] = s.requests;
    assert.equal(first?.headers['i-twilio-idempotency-token'], second?.headers['i-twilio-idempotency-token']);
    assert.equal(first?.headers['x-twilio-signature'], second?.headers['x-twilio-signature']);
    assert.equal(await d.pending(), 0);
    assert.deepEqual(await d.deadLetters(), []);
    assert.equal(await d.deadLetterCount(), 0);
  });

  it('gives each event its own idempotency token', async () => {
    const s = await sink();
    const d = await dispatcher();
    await d.enqueue(callback(`${s.origin}/a`));
    await d.enqueue(callback(`${s.origin}/a`));
    await d.drain(DRAIN_MS);
    assert.equal(s.requests.length, 2);
    assert.notEqual(
      s.requests[0]?.headers['i-twilio-idempotency-token'],
      s.requests[1]?.headers['i-twilio-idempotency-token'],
    );
  });

  it('gives up after maxAttempts and keeps the event in the dead letters', async () => {
    const s = await sink(() => ({ status: 503 }));
    const d = await dispatcher({ maxAttempts: 3 });
    await d.enqueue(callback(`${s.origin}/down`));
    await d.drain(DRAIN_MS);

    assert.equal(s.requests.length, 3);
    assert.equal(await d.pending(), 0);
    const dead = await d.deadLetters();
    assert.equal(dead.length, 1);
    assert.equal(await d.deadLetterCount(), 1);
    const letter = dead[0];
    assert.ok(letter !== undefined);
    assert.equal(letter.attempts, 3);
    assert.equal(letter.lastError, 'HTTP 503');
    assert.equal(letter.kind, 'message-status');
    assert.equal(letter.url, `${s.origin}/down`);
    assert.deepEqual(letter.params, callback('').params);
    assert.equal(letter.idempotencyToken, s.requests[0]?.headers['i-twilio-idempotency-token']);
    assert.deepEqual(await d.deadLetters({ accountSid: 'AC' + 'b'.repeat(32) }), []);
    assert.equal((await d.deadLetters({ accountSid: TEST_ACCOUNT_SID, limit: 1 })).length, 1);
  });

  it('records attempts by outcome, durations, failures, dead letters and pending in its registry', async () => {
    const registry = createRegistry({ process: 'test', runtimeMetrics: false });
    const down = await sink(() => ({ status: 503 }));
    const flaky = await sink((_req, i) => ({ status: i === 0 ? 500 : 204 }));
    const d = await dispatcher({ maxAttempts: 2, metrics: registry });
    await d.enqueue(callback(`${down.origin}/down`));
    await d.enqueue(callback(`${flaky.origin}/flaky`));
    await d.enqueue(callback('not a url'));
    const kind = 'message-status';
    assert.equal(await seriesValue(registry, 'twilio_lab_webhook_pending_callbacks', { kind }), 3);
    await d.drain(DRAIN_MS);

    const attempts = 'twilio_lab_webhook_attempts_total';
    assert.equal(await seriesValue(registry, attempts, { kind, outcome: '5xx' }), 3);
    assert.equal(await seriesValue(registry, attempts, { kind, outcome: '2xx' }), 1);
    assert.equal(await seriesValue(registry, attempts, { kind, outcome: 'error' }), 1);
    const durations = 'twilio_lab_webhook_attempt_duration_seconds_count';
    assert.equal(await seriesValue(registry, durations, { kind }), 4, 'HTTP exchanges only');
    assert.equal(await seriesValue(registry, 'twilio_lab_webhook_failures_total', { kind }), 2);
    assert.equal(await seriesValue(registry, 'twilio_lab_webhook_dead_letters_total', { kind }), 2);
    assert.equal(await seriesValue(registry, 'twilio_lab_webhook_pending_callbacks', { kind }), 0);
  });

  it('retries refused connections and dead-letters invalid URLs and unknown accounts at once', async () => {
    const refused = await refusedOrigin();
    const d = await dispatcher({ maxAttempts: 2 });
    await d.enqueue(callback(`${refused}/none`));
    await d.enqueue(callback('not a url'));
    await d.enqueue(callback('http://127.0.0.1:1/x', { accountSid: 'AC' + 'c'.repeat(32) }));
    await d.drain(DRAIN_MS);

    const dead = await d.deadLetters();
    assert.equal(dead.length, 3);
    const byUrl = new Map(dead.map((l) => [l.url, l]));
    assert.equal(byUrl.get(`${refused}/none`)?.attempts, 2);
    assert.match(byUrl.get(`${refused}/none`)?.lastError ?? '', /ECONNREFUSED/);
    assert.equal(byUrl.get('not a url')?.attempts, 1);
    assert.match(byUrl.get('not a url')?.lastError ?? '', /invalid callback URL/);
    assert.equal(byUrl.get('http://127.0.0.1:1/x')?.attempts, 1);
    assert.match(byUrl.get('http://127.0.0.1:1/x')?.lastError ?? '', /not found/);
  });

  it('does not let a slow origin delay callbacks to another origin', async () => {
    const slow = await sink(() => null);
    const fast = await sink();
    const d = await dispatcher({ perOriginConcurrency: 1, timeoutMs: 120_000 });
    for (let i = 0; i < 3; i++) await d.enqueue(callback(`${slow.origin}/hang/${i}`));
    for (let i = 0; i < 3; i++) await d.enqueue(callback(`${fast.origin}/ok/${i}`));
    await fast.waitFor(3);
    assert.deepEqual(
      fast.requests.map((r) => r.url),
      ['/ok/0', '/ok/1', '/ok/2'],
    );
    // One slot per origin: the hung endpoint holds at most its one request.
    assert.ok(slow.requests.length <= 1);
    // The slow origin's callbacks are still owed: recorded, not delivered, not dead-lettered.
    assert.ok((await d.pending()) >= 3);
    assert.deepEqual(await d.deadLetters(), []);
  });

  it('commits enqueueOps with the caller’s write and delivers only committed rows after flush()', async () => {
    const s = await sink();
    const d = await dispatcher();
    await store.migrate([
      { id: 'test-001-state', sql: 'CREATE TABLE state (id TEXT PRIMARY KEY, status TEXT)' },
    ]);

    const rolledBack = d.enqueueOps(callback(`${s.origin}/rolled-back`));
    await assert.rejects(
      store.write([...rolledBack, { sql: 'INSERT INTO no_such_table (id) VALUES (?)', params: ['x'] }]),
    );
    const committed = d.enqueueOps(callback(`${s.origin}/committed`));
    await store.write([
      ...committed,
      { sql: 'INSERT INTO state (id, status) VALUES (?, ?)', params: ['SM1', 'sent'] },
    ]);
    d.flush();
    await d.drain(DRAIN_MS);

    assert.deepEqual(
      s.requests.map((r) => r.url),
      ['/committed'],
    );
    assert.equal(await d.pending(), 0);
    assert.equal(
      (await store.get<{ status: string }>('SELECT status FROM state WHERE id = ?', ['SM1']))?.status,
      'sent',
    );
  });

  it('answers request() with the reply, signed, and throws 11200 when the endpoint is unreachable', async () => {
    const twiml = '<?xml version="1.0"?><Response><Message>hi</Message></Response>';
    const s = await sink(() => ({ status: 200, body: twiml, contentType: 'text/xml' }));
    const d = await dispatcher();
    const params = { From: '+15005550006', Body: 'hello' };
    const reply = await d.request(callback(`${s.origin}/sms`, { params, kind: 'inbound-message' }));
    assert.deepEqual(reply, { status: 200, contentType: 'text/xml', body: twiml });
    const got = s.requests[0];
    assert.ok(got !== undefined);
    assert.ok(
      validateWebhookSignature(
        TEST_AUTH_TOKEN,
        String(got.headers['x-twilio-signature']),
        `${s.origin}/sms`,
        params,
      ),
    );
    assert.equal(await d.pending(), 0, 'a synchronous request is not an outbox row');

    const refused = await refusedOrigin();
    await assert.rejects(d.request(callback(`${refused}/sms`)), (e: unknown) => {
      assert.ok(e instanceof TwilioError);
      assert.equal(e.code, 11200);
      return true;
    });
  });

  it('request() times out with 11200', async () => {
    const s = await sink(() => null);
    const d = await dispatcher({ timeoutMs: 50 });
    await assert.rejects(d.request(callback(`${s.origin}/hang`)), (e: unknown) => {
      assert.ok(e instanceof TwilioError);
      assert.equal(e.code, 11200);
      assert.match(e.detail ?? '', /50 ms/);
      return true;
    });
  });
});

describe('webhook outbox across a restart', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cell-webhooks-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes a pending callback from the same sqlite file with the same idempotency token', async () => {
    const path = join(dir, 'cell.sqlite');
    let answer = false;
    const s = await startSink(() => (answer ? { status: 200 } : null));
    try {
      const store1 = await openSqliteStore({ path });
      const first = createWebhookDispatcher({
        store: store1,
        identity: fakeIdentity(),
        log: recordingLogger(),
        timeoutMs: 120_000,
      });
      await store1.migrate(first.migrations);
      await first.start();
      await first.enqueue(callback(`${s.origin}/resume`));
      await s.waitFor(1);
      // "Crash" while the endpoint holds the request: nothing was acknowledged.
      await first.stop();
      await store1.close();

      answer = true;
      const store2 = await openSqliteStore({ path });
      const second = createWebhookDispatcher({
        store: store2,
        identity: fakeIdentity(),
        log: recordingLogger(),
      });
      await store2.migrate(second.migrations);
      assert.equal(await second.pending(), 1);
      await second.start();
      await second.drain(DRAIN_MS);
      assert.equal(await second.pending(), 0);
      await second.stop();
      await store2.close();

      assert.equal(s.requests.length, 2);
      assert.equal(s.requests[1]?.url, '/resume');
      assert.equal(
        s.requests[0]?.headers['i-twilio-idempotency-token'],
        s.requests[1]?.headers['i-twilio-idempotency-token'],
      );
    } finally {
      await s.close();
    }
  });
});
