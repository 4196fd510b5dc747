import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';
import { isLoopbackHost } from './gateway-metrics.js';
import { authOf, basic, call, startHarness } from './test-support.js';
import type { Harness } from './test-support.js';

/** Value of the exposition line `name{labels…}` whose labels include all of `labels`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const SM = 'SM' + 'a'.repeat(32);

describe('gateway: metrics', () => {
  let h: Harness;
  let registry: Registry;

  before(async () => {
    registry = createRegistry({ process: 'gateway', runtimeMetrics: false });
    h = await startHarness({ metrics: registry, rateLimit: { ratePerSec: 0.001, burst: 4 } });
  });

  after(() => h.close());

  it('counts requests by product, route template, method, status class and tier, never by SID', async () => {
    const auth = authOf(h.main);
    const messages = `/2010-04-01/Accounts/${h.main.sid}/Messages.json`;
    assert.equal((await call(h.base + messages, { method: 'POST', auth, body: 'To=%2B1555' })).status, 200);
    assert.equal((await call(h.base + '/api' + messages, { method: 'POST', auth, body: 'x=1' })).status, 200);
    const one = `/2010-04-01/Accounts/${h.main.sid}/Messages/${SM}.json`;
    assert.equal((await call(h.base + one, { auth })).status, 200);
    assert.equal((await call(h.base + messages, { auth: basic(h.main.sid, 'f'.repeat(32)) })).status, 401);
    assert.equal((await call(h.base + messages)).status, 401);
    assert.equal((await call(h.base + '/nope/v1/Things')).status, 404);
    assert.equal((await call(h.base + '/healthz')).status, 200);

    const scrape = await call(h.base + '/metrics');
    assert.equal(scrape.status, 200);
    assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = scrape.text;
    const route = '/2010-04-01/Accounts/{AC}/Messages.json';
    const requests = 'twilio_lab_http_requests_total';
    assert.equal(
      sample(text, requests, { product: 'api', route, method: 'POST', status_class: '2xx', tier: 'full' }),
      2,
      'the bare and /api-prefixed paths share one series',
    );
    assert.equal(
      sample(text, requests, {
        product: 'api',
        route: '/2010-04-01/Accounts/{AC}/Messages/{SM}.json',
        method: 'GET',
        status_class: '2xx',
        process: 'gateway',
      }),
      1,
    );
    assert.equal(sample(text, requests, { route, method: 'GET', status_class: '4xx', tier: 'none' }), 2);
    assert.equal(sample(text, requests, { product: 'gateway', route: '_unknown_product' }), 1);
    assert.equal(sample(text, requests, { product: 'gateway', route: '/healthz' }), 1);
    const auths = 'twilio_lab_http_auth_failures_total';
    assert.equal(sample(text, auths, { product: 'api', reason: 'invalid' }), 1);
    assert.equal(sample(text, auths, { product: 'api', reason: 'missing' }), 1);
    const count = 'twilio_lab_http_request_duration_seconds_count';
    assert.equal(sample(text, count, { route, method: 'POST', status_class: '2xx' }), 2);
    const inf = sample(text, 'twilio_lab_http_request_duration_seconds_bucket', {
      route,
      method: 'POST',
      le: '+Inf',
    });
    assert.equal(inf, 2);
    assert.ok(!text.includes(h.main.sid), 'no account SID in any label');
    assert.ok(!text.includes(SM), 'no message SID in any label');
  });

  it('counts 429s and shows requests in flight at scrape time', async () => {
    const auth = authOf(h.main);
    const path = `/2010-04-01/Accounts/${h.main.sid}/Calls.json`;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const respond = h.router.cell.respond;
    h.router.cell.respond = async (req) => {
      await held;
      return respond(req);
    };
    const before = h.router.cell.requests.length;
    const pending = call(h.base + path, { auth });
    while (h.router.cell.requests.length === before) await new Promise((r) => setTimeout(r, 5));
    const during = (await call(h.base + '/metrics')).text;
    assert.equal(sample(during, 'twilio_lab_http_requests_in_flight', {}), 1);
    release();
    assert.equal((await pending).status, 200);
    h.router.cell.respond = respond;
    assert.equal((await call(h.base + path, { auth })).status, 429, 'the burst of 4 is spent by now');
    const text = (await call(h.base + '/metrics')).text;
    assert.equal(sample(text, 'twilio_lab_http_rate_limited_total', { product: 'api', tier: 'full' }), 1);
    assert.equal(sample(text, 'twilio_lab_http_requests_in_flight', {}), 0);
    assert.equal(
      sample(text, 'twilio_lab_http_requests_total', {
        status_class: '4xx',
        route: '/2010-04-01/Accounts/{AC}/Calls.json',
      }),
      1,
    );
  });

  it('answers /metrics only to GET, and even while draining', async () => {
    assert.equal((await call(h.base + '/metrics', { method: 'POST', body: 'x' })).status, 405);
    h.gateway.drain();
    assert.equal((await call(h.base + '/metrics')).status, 200);
    assert.equal((await call(h.base + `/2010-04-01/Accounts/${h.main.sid}/Messages.json`)).status, 503);
  });
});

describe('gateway: metrics disabled', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({ metrics: false });
  });

  after(() => h.close());

  it('has no /metrics (an unknown product) and still serves requests', async () => {
    assert.equal((await call(h.base + '/metrics')).status, 404);
    const path = `/2010-04-01/Accounts/${h.main.sid}/Messages.json`;
    assert.equal((await call(h.base + path, { auth: authOf(h.main) })).status, 200);
  });
});

describe('gateway: default metrics registry', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });

  after(() => h.close());

  it('serves its own registry with the runtime metrics', async () => {
    const text = (await call(h.base + '/metrics')).text;
    assert.notEqual(sample(text, 'twilio_lab_process_cpu_seconds_total', { process: 'gateway' }), undefined);
    assert.notEqual(sample(text, 'twilio_lab_nodejs_eventloop_lag_seconds', {}), undefined);
  });
});

describe('isLoopbackHost', () => {
  it('opens /metrics only on loopback interfaces', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '']) assert.equal(isLoopbackHost(host), false, host);
  });
});
