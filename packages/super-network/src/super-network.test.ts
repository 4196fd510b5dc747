import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CarrierConfig } from './carrier-config.js';
import { CarrierSimulator } from './carrier-simulator.js';
import { HandsetRegistry } from './handset-registry.js';
import { smpp } from './smpp-protocol.js';
import { RouteError, SmppRoute } from './smpp-route.js';
import { encodeBody } from './sms-codec.js';
import { createSuperNetwork } from './super-network.js';
import type { RunningSuperNetwork, SuperNetworkOptions } from './super-network.js';
import { startSuperNetworkThread } from './super-network-thread.js';
import { SuperNetworkError } from './errors.js';
import { SubmitError } from './types.js';
import type { DeliveryReceipt, InboundSms, OutboundSms, SuperNetwork } from './types.js';

function carrier(
  name: string,
  prefixes: string[],
  costPerSegment: number,
  extra: Partial<CarrierConfig> = {},
): CarrierConfig {
  return {
    name,
    region: 'us1',
    prefixes,
    costPerSegment,
    systemId: 'lab',
    password: 'secret',
    submitLatencyMs: { median: 1, p99: 2 },
    receiptLatencyMs: { median: 2, p99: 4 },
    outcomes: { delivered: 1, undelivered: 0, failed: 0 },
    seed: 1,
    ...extra,
  };
}

let sidCounter = 0;
function sms(to: string, body = 'Hello from the lab', extra: Partial<OutboundSms> = {}): OutboundSms {
  const n = (++sidCounter).toString(16).padStart(32, '0');
  return {
    messageSid: 'SM' + n,
    accountSid: 'AC' + 'a'.repeat(32),
    from: '+15005550006',
    to,
    body,
    encoding: 'GSM-7',
    segments: 1,
    mediaUrls: [],
    ...extra,
  };
}

async function network(
  t: TestContext,
  carriers: CarrierConfig[],
  options: Partial<SuperNetworkOptions> = {},
): Promise<RunningSuperNetwork> {
  const net = await createSuperNetwork({ carriers, ...options });
  t.after(() => net.close());
  return net;
}

/** The behaviour tests that need only the SuperNetwork contract run against both. */
interface Variant {
  name: string;
  start(options: SuperNetworkOptions): Promise<SuperNetwork>;
}
const variants: Variant[] = [
  { name: 'in-thread', start: createSuperNetwork },
  { name: 'worker thread', start: (options) => startSuperNetworkThread(options) },
];

async function variantNetwork(
  variant: Variant,
  t: TestContext,
  carriers: CarrierConfig[],
  options: Partial<SuperNetworkOptions> = {},
): Promise<SuperNetwork> {
  const net = await variant.start({ carriers, ...options });
  t.after(() => net.close());
  return net;
}

/** Resolves with the receipt for `messageSid`. */
function receiptFor(net: SuperNetwork, messageSid: string): Promise<DeliveryReceipt> {
  return new Promise((resolve) => {
    net.onReceipt((r) => {
      if (r.messageSid === messageSid) resolve(r);
    });
  });
}

/** Worker threads alive in this process: each one's port to us is an active 'MessagePort' resource. */
function workerCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function simulator(net: RunningSuperNetwork, name: string): CarrierSimulator {
  const found = net.simulators.find((s) => s.name === name);
  assert.ok(found, `simulator ${name}`);
  return found;
}

async function submitError(promise: Promise<unknown>): Promise<SubmitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SubmitError, `expected SubmitError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the submit to be rejected');
}

test('a bind with the wrong password is refused with ESME_RBINDFAIL; the right one binds', async (t) => {
  const sim = new CarrierSimulator(carrier('auth', ['+1'], 0.01), new HandsetRegistry());
  await sim.start();
  t.after(() => sim.close());
  const routeWith = (password: string): SmppRoute =>
    new SmppRoute({
      name: 'auth',
      host: '127.0.0.1',
      port: sim.port,
      systemId: 'lab',
      password,
      window: 10,
      submitTimeoutMs: 1000,
      reconnectMinMs: 1000,
      onReceipt: async () => undefined,
      onInbound: async () => undefined,
    });
  const wrong = routeWith('nope');
  await wrong.start();
  assert.equal(wrong.bound, false);
  assert.equal(wrong.lastBindStatus, smpp.ESME_RBINDFAIL);
  await wrong.close();

  const right = routeWith('secret');
  await right.start();
  assert.equal(right.bound, true);
  assert.equal(right.lastBindStatus, 0);
  await right.close();
});

test('failover: a closed cheapest carrier is skipped', async (t) => {
  const net = await network(t, [carrier('us-cheap', ['+1'], 0.005), carrier('us-dear', ['+1'], 0.009)]);
  await simulator(net, 'us-cheap').close();
  await waitUntil(() => net.route('us-cheap')?.bound === false, 'the cheap route notices the loss');
  const result = await net.submit(sms('+14155550100'));
  assert.equal(result.carrier, 'us-dear');
});

test('failover: a carrier answering errors is tried, then the next one takes the message', async (t) => {
  const net = await network(t, [carrier('us-cheap', ['+1'], 0.005), carrier('us-dear', ['+1'], 0.009)]);
  simulator(net, 'us-cheap').failSubmits(smpp.ESME_RSYSERR);
  const message = sms('+14155550100');
  const receipt = receiptFor(net, message.messageSid);
  const result = await net.submit(message);
  assert.equal(result.carrier, 'us-dear');
  assert.deepEqual(result.failedOver, ['us-cheap']);
  assert.equal((await receipt).carrier, 'us-dear');
});

test('failover: a carrier that does not answer in time is abandoned after the submit timeout', async (t) => {
  const net = await network(t, [carrier('us-cheap', ['+1'], 0.005), carrier('us-dear', ['+1'], 0.009)], {
    submitTimeoutMs: 150,
  });
  simulator(net, 'us-cheap').pause(2000);
  const result = await net.submit(sms('+14155550100'));
  assert.equal(result.carrier, 'us-dear');
  assert.deepEqual(result.failedOver, ['us-cheap']);
});

test('the window caps submits in flight per bind: the carrier throttles beyond it, the platform queues instead', async (t) => {
  const slow = carrier('us-a', ['+1'], 0.005, { window: 2, submitLatencyMs: { median: 30, p99: 30 } });
  const sim = new CarrierSimulator(slow, new HandsetRegistry());
  await sim.start();
  t.after(() => sim.close());
  const greedy = new SmppRoute({
    name: 'us-a',
    host: '127.0.0.1',
    port: sim.port,
    systemId: 'lab',
    password: 'secret',
    window: 5,
    submitTimeoutMs: 2000,
    onReceipt: async () => undefined,
    onInbound: async () => undefined,
  });
  await greedy.start();
  t.after(() => greedy.close());
  const encoded = encodeBody('hi');
  const outcomes = await Promise.allSettled(
    [0, 1, 2, 3, 4].map((i) => greedy.submit(sms(`+1415555020${i}`), encoded)),
  );
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 2);
  for (const o of outcomes.filter((x) => x.status === 'rejected')) {
    assert.ok(o.reason instanceof RouteError && o.reason.kind === 'throttled', String(o.reason));
  }

  // A platform route that knows the window pipelines up to it and queues the rest: nothing throttled.
  const net = await network(t, [slow]);
  const results = await Promise.all([0, 1, 2, 3, 4].map((i) => net.submit(sms(`+1415555021${i}`))));
  assert.equal(results.length, 5);
  assert.equal(net.carriers()[0]?.throttled, 0);
});

test('every route down → 30008, retryable', async (t) => {
  const net = await network(t, [carrier('us-a', ['+1'], 0.01)]);
  await simulator(net, 'us-a').close();
  await waitUntil(() => net.route('us-a')?.bound === false, 'the route notices the loss');
  const error = await submitError(net.submit(sms('+14155550100')));
  assert.equal(error.code, 30008);
  assert.equal(error.retryable, true);
});

test('receipt outcomes map to Twilio statuses and error codes', async (t) => {
  const net = await network(t, [carrier('us-a', ['+1'], 0.01)]);
  const sim = simulator(net, 'us-a');
  const cases = [
    { outcomes: { delivered: 0, undelivered: 1, failed: 0 }, status: 'undelivered', errorCode: 30003 },
    {
      outcomes: { delivered: 0, undelivered: 1, failed: 0, undeliveredErr: '001' },
      status: 'undelivered',
      errorCode: 30005,
    },
    {
      outcomes: { delivered: 0, undelivered: 1, failed: 0, undeliveredStat: 'EXPIRED' as const },
      status: 'undelivered',
      errorCode: 30001,
    },
    { outcomes: { delivered: 0, undelivered: 0, failed: 1 }, status: 'failed', errorCode: 30007 },
    { outcomes: { delivered: 1, undelivered: 0, failed: 0 }, status: 'delivered', errorCode: null },
  ];
  for (const [i, c] of cases.entries()) {
    sim.setOutcomes(c.outcomes);
    const to = `+1415555030${i}`;
    const message = sms(to);
    const receipt = receiptFor(net, message.messageSid);
    await net.submit(message);
    const r = await receipt;
    assert.deepEqual(
      { status: r.status, errorCode: r.errorCode },
      { status: c.status, errorCode: c.errorCode },
      JSON.stringify(c.outcomes),
    );
    assert.equal(net.handsets.inboxNow(to).length, c.status === 'delivered' ? 1 : 0);
  }
  assert.throws(() => sim.setOutcomes({ delivered: 0.5, undelivered: 0, failed: 0 }), RangeError);
});

test('the platform reconnects after a carrier restarts, and after an unbind', async (t) => {
  const net = await network(t, [carrier('us-a', ['+1'], 0.01)]);
  const sim = simulator(net, 'us-a');
  const route = net.route('us-a');
  assert.ok(route);
  const port = sim.port;
  await sim.close();
  await waitUntil(() => !route.bound, 'the route notices the restart');
  await sim.start();
  assert.equal(sim.port, port, 'a restarted carrier keeps its address');
  assert.equal(await route.waitUntilBound(5000), true);
  assert.equal((await net.submit(sms('+14155550100'))).carrier, 'us-a');

  await sim.unbindAll();
  await waitUntil(() => route.bound, 'the route binds again after unbind');
  assert.equal((await net.submit(sms('+14155550101'))).carrier, 'us-a');
});

test('close() unbinds every carrier and rejects pending waits', async () => {
  const net = await createSuperNetwork({ carriers: [carrier('us-a', ['+1'], 0.01)] });
  const waiting = net.handsets.waitFor('+14155550100', { timeoutMs: 10_000 });
  await net.close();
  await assert.rejects(waiting, { code: 'NETWORK_CLOSED' });
  assert.deepEqual(
    net.carriers().map((c) => c.bound),
    [false],
  );
  assert.equal(net.simulators[0]?.listening, false);
});

for (const variant of variants) {
  test(`${variant.name}: submit resolves as sent and the delivered receipt carries the message and account SIDs`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const message = sms('+14155550100');
    const receipt = receiptFor(net, message.messageSid);
    const result = await net.submit(message);
    assert.equal(result.carrier, 'us-a');
    assert.ok(result.carrierMessageId.length > 0);
    assert.deepEqual(result.failedOver, []);
    const r = await receipt;
    assert.deepEqual(
      {
        messageSid: r.messageSid,
        accountSid: r.accountSid,
        carrier: r.carrier,
        status: r.status,
        errorCode: r.errorCode,
      },
      {
        messageSid: message.messageSid,
        accountSid: message.accountSid,
        carrier: 'us-a',
        status: 'delivered',
        errorCode: null,
      },
    );
    const status = net.carriers()[0];
    assert.equal(status?.submitted, 1);
    assert.equal(status?.delivered, 1);
    assert.equal(status?.bound, true);
  });

  test(`${variant.name}: the handset inbox receives the exact body, byte for byte`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const bodies = [
      'Emoji 😀👍🏽 ok',
      'x'.repeat(1600),
      '🙂'.repeat(800),
      '<?xml version="1.0"?><Response><Message to="+1">&amp;</Message></Response>',
      "Robert'); DROP TABLE Students;-- \" OR '1'='1",
      'GSM extension ^{}\\[~]|€',
    ];
    for (const [i, body] of bodies.entries()) {
      const to = `+1415555010${i}`;
      const message = sms(to, body, { mediaUrls: i === 0 ? ['https://example.com/a.png'] : [] });
      await net.submit(message);
      const got = await net.handsets.waitFor(to, { timeoutMs: 5000 });
      assert.equal(got.body, body);
      assert.equal(Buffer.compare(Buffer.from(got.body, 'utf8'), Buffer.from(body, 'utf8')), 0);
      assert.equal(got.messageSid, message.messageSid);
      assert.equal(got.direction, 'in');
      assert.equal(got.from, message.from);
      assert.deepEqual(got.mediaUrls, message.mediaUrls);
    }
  });

  test(`${variant.name}: least-cost routing: cheapest carrier of the longest matching prefix, catch-all last`, async (t) => {
    const net = await variantNetwork(variant, t, [
      carrier('global', ['+'], 0.2),
      carrier('us-dear', ['+1'], 0.009),
      carrier('us-cheap', ['+1'], 0.005),
      carrier('eu-agg', ['+44', '+33'], 0.05),
      carrier('gb-cheap', ['+44'], 0.03),
    ]);
    assert.equal((await net.submit(sms('+14155550100'))).carrier, 'us-cheap');
    assert.equal((await net.submit(sms('+447700900123'))).carrier, 'gb-cheap');
    assert.equal((await net.submit(sms('+33612345678'))).carrier, 'eu-agg');
    assert.equal((await net.submit(sms('+81312345678'))).carrier, 'global');
  });

  test(`${variant.name}: throttling moves to the next carrier; when all throttle the error is retryable with retryAfterMs`, async (t) => {
    const net = await variantNetwork(variant, t, [
      carrier('us-cheap', ['+1'], 0.005, { maxTps: 1 }),
      carrier('us-dear', ['+1'], 0.009, { maxTps: 1 }),
    ]);
    assert.equal((await net.submit(sms('+14155550100'))).carrier, 'us-cheap');
    const second = await net.submit(sms('+14155550101'));
    assert.equal(second.carrier, 'us-dear');
    assert.deepEqual(second.failedOver, ['us-cheap']);
    const error = await submitError(net.submit(sms('+14155550102')));
    assert.equal(error.code, 30001);
    assert.equal(error.retryable, true);
    assert.ok(error.retryAfterMs > 0 && error.retryAfterMs <= 1000, `retryAfterMs ${error.retryAfterMs}`);
    const throttled = net.carriers().reduce((n, c) => n + c.throttled, 0);
    assert.ok(throttled >= 2, `throttled counter ${throttled}`);
  });

  test(`${variant.name}: no carrier for the prefix → 21612, not retryable`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const error = await submitError(net.submit(sms('+447700900123')));
    assert.equal(error.code, 21612);
    assert.equal(error.retryable, false);
  });

  test(`${variant.name}: a handset message reaches onInbound and is acknowledged only after the handler resolves`, async (t) => {
    const net = await variantNetwork(variant, t, [
      carrier('us-a', ['+1'], 0.01),
      carrier('gb', ['+44'], 0.03),
    ]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: (sms: InboundSms) => void = () => undefined;
    const handlerEntered = new Promise<InboundSms>((resolve) => (entered = resolve));
    net.onInbound(async (inbound) => {
      entered(inbound);
      await gate;
    });
    let acknowledged = false;
    const sending = net.handsets
      .send({
        from: '+447700900123',
        to: '+15005550006',
        body: 'STOP 😀',
        mediaUrls: ['https://example.com/x.jpg'],
      })
      .then((m) => {
        acknowledged = true;
        return m;
      });
    const inbound = await handlerEntered;
    assert.deepEqual(
      {
        from: inbound.from,
        to: inbound.to,
        body: inbound.body,
        carrier: inbound.carrier,
        mediaUrls: inbound.mediaUrls,
      },
      {
        from: '+447700900123',
        to: '+15005550006',
        body: 'STOP 😀',
        carrier: 'gb',
        mediaUrls: ['https://example.com/x.jpg'],
      },
    );
    // Give an early (wrong) acknowledgement every chance to arrive before checking it did not.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(acknowledged, false, 'deliver_sm_resp must wait for the handler');
    release();
    const sent = await sending;
    assert.equal(sent.direction, 'out');
    assert.equal(sent.carrier, 'gb');
    assert.deepEqual(
      (await net.handsets.inbox('+447700900123')).map((m) => m.direction),
      ['out'],
    );
  });

  test(`${variant.name}: a handler that throws is answered ESME_RSYSERR and the carrier retries`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    let calls = 0;
    net.onInbound(async () => {
      calls++;
      if (calls === 1) throw new Error('store unavailable');
    });
    await net.handsets.send({ from: '+14155550100', to: '+15005550006', body: 'retry me' });
    assert.equal(calls, 2);
  });

  test(`${variant.name}: a receipt the platform could not record is refused and sent again by the carrier`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const message = sms('+14155550100');
    const seen: string[] = [];
    const recorded = new Promise<string>((resolve) => {
      net.onReceipt(async (r) => {
        seen.push(r.messageSid);
        if (seen.length === 1) throw new Error('store unavailable');
        resolve(r.messageSid);
      });
    });
    await net.submit(message);
    assert.equal(await recorded, message.messageSid);
    assert.deepEqual(seen, [message.messageSid, message.messageSid]);
  });

  test(`${variant.name}: a receipt refused through a store outage (well past the handset retry limit) is still recorded`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const message = sms('+14155550100');
    let refusals = 0;
    const outageUntil = Date.now() + 2_500; // longer than the five quick retries a handset send gets
    const recorded = new Promise<number>((resolve) => {
      net.onReceipt(async () => {
        if (Date.now() < outageUntil) {
          refusals++;
          throw new Error('store unavailable');
        }
        resolve(refusals);
      });
    });
    await net.submit(message);
    assert.ok((await recorded) >= 5, 'the carrier kept retrying beyond five refusals');
  });

  test(`${variant.name}: receipts that arrive before any handler are held, then handed to the first one`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const message = sms('+14155550100');
    await net.submit(message);
    await net.handsets.waitFor(message.to, { timeoutMs: 5000 });
    // The carrier has sent its receipt by now (receipt latency is a few ms); nobody listens yet.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const receipt = await receiptFor(net, message.messageSid);
    assert.equal(receipt.status, 'delivered');
  });

  test(`${variant.name}: handsets clear their inbox and waitFor filters with a predicate`, async (t) => {
    const net = await variantNetwork(variant, t, [carrier('us-a', ['+1'], 0.01)]);
    const to = '+14155550170';
    const since = Date.now();
    const coded = net.handsets.waitFor(to, {
      since,
      timeoutMs: 5000,
      predicate: (m) => m.body.startsWith('code'),
    });
    await net.submit(sms(to, 'not yet'));
    await net.submit(sms(to, 'code 4321'));
    assert.equal((await coded).body, 'code 4321');
    assert.equal((await net.handsets.inbox(to)).length, 2);
    assert.deepEqual(
      (await net.handsets.inbox(to, { limit: 1 })).map((m) => m.body),
      ['code 4321'],
    );
    await net.handsets.clear(to);
    assert.deepEqual(await net.handsets.inbox(to), []);
    await assert.rejects(net.handsets.waitFor('+14155550171', { timeoutMs: 20 }), {
      code: 'HANDSET_WAIT_TIMEOUT',
    });
    await assert.rejects(net.handsets.send({ from: '+1', to: '+15005550006', body: 'x' }), {
      code: 'INVALID_NUMBER',
    });
  });
}

test('worker thread: SubmitError fields survive the thread hop', async (t) => {
  const net = await startSuperNetworkThread({ carriers: [carrier('us-a', ['+1'], 0.01)] });
  t.after(() => net.close());
  const error = await submitError(net.submit(sms('+447700900123')));
  assert.equal(error.name, 'SubmitError');
  assert.deepEqual(
    { code: error.code, retryable: error.retryable, retryAfterMs: error.retryAfterMs },
    { code: 21612, retryable: false, retryAfterMs: 0 },
  );
  assert.match(error.message, /\+447700900123/);
});

test('worker thread: a start failure is reported with its code and no worker is left behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sn-thread-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocker = join(dir, 'file');
  await writeFile(blocker, 'not a directory');
  const before = workerCount();
  await assert.rejects(
    startSuperNetworkThread({
      carriers: [carrier('us-a', ['+1'], 0.01)],
      journalDir: join(blocker, 'carriers'),
    }),
    (error: unknown) => {
      assert.ok(error instanceof SuperNetworkError, String(error));
      assert.equal(error.code, 'CARRIER_START_FAILED');
      return true;
    },
  );
  await waitUntil(() => workerCount() === before, 'the failed worker exits');
});

test('worker thread: journalDir works across the hop (the carriers keep their journals there)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sn-thread-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const net = await startSuperNetworkThread({
    carriers: [carrier('us-a', ['+1'], 0.01)],
    journalDir: join(dir, 'carriers'),
  });
  t.after(() => net.close());
  assert.equal((await net.submit(sms('+14155550100'))).carrier, 'us-a');
  assert.deepEqual(await readdir(join(dir, 'carriers')), ['us-a.journal']);
});

test("worker thread: the logger gets the worker network's log lines", async (t) => {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const net = await startSuperNetworkThread({
    carriers: [carrier('us-a', ['+1'], 0.01)],
    log: {
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    },
  });
  t.after(() => net.close());
  let calls = 0;
  net.onInbound(async () => {
    if (++calls === 1) throw new Error('store unavailable');
  });
  await net.handsets.send({ from: '+14155550100', to: '+15005550006', body: 'retry me' });
  const warning = lines.find((l) => l.level === 'warn' && /inbound/.test(l.msg ?? ''));
  assert.ok(warning, JSON.stringify(lines));
  assert.equal((warning.obj as { error?: { message?: string } }).error?.message, 'store unavailable');
});

test('worker thread: close() closes the network, rejects pending waits and leaves no worker running', async () => {
  const before = workerCount();
  const net = await startSuperNetworkThread({ carriers: [carrier('us-a', ['+1'], 0.01)] });
  assert.equal(workerCount(), before + 1);
  assert.deepEqual(
    net.carriers().map((c) => [c.name, c.bound]),
    [['us-a', true]],
  );
  const waiting = net.handsets.waitFor('+14155550100', { timeoutMs: 10_000 });
  await net.close();
  await assert.rejects(waiting, { code: 'NETWORK_CLOSED' });
  assert.equal(workerCount(), before);
  assert.deepEqual(
    net.carriers().map((c) => c.bound),
    [false],
  );
  const late = await submitError(net.submit(sms('+14155550100')));
  assert.deepEqual([late.code, late.retryable], [30008, true]);
  await assert.rejects(net.handsets.inbox('+14155550100'), { code: 'NETWORK_CLOSED' });
  await net.close(); // idempotent
});
