import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { twilioError } from '@twilio-lab/core';
import type { CellRequest } from '@twilio-lab/core';
import { BackendError, openMemoryStore } from '@twilio-lab/backends';
import type { Cache, Migration, Queue, Store } from '@twilio-lab/backends';
import { createCell } from './cell.js';
import { createCellContext } from './context.js';
import { TEST_ACCOUNT_SID, fakeIdentity, recordingLogger } from './test-support.js';
import type { CellContext, ProductModule, RouteContext, WebhookDispatcher } from './types.js';

function request(overrides: Partial<CellRequest>): CellRequest {
  return {
    method: 'GET',
    product: 'api',
    path: '/',
    query: '',
    body: '',
    contentType: '',
    accountSid: TEST_ACCOUNT_SID,
    authAccountSid: TEST_ACCOUNT_SID,
    credentialSid: TEST_ACCOUNT_SID,
    origin: 'http://127.0.0.1:3000',
    requestId: 'RQ' + '0'.repeat(32),
    headers: {},
    ...overrides,
  };
}

/** Records lifecycle calls in one shared list so their order can be asserted. */
function fakeWebhooks(events: string[]): WebhookDispatcher {
  const migrations: Migration[] = [
    { id: 'fake-webhooks-001', sql: 'CREATE TABLE fake_webhooks (id TEXT PRIMARY KEY)' },
  ];
  return {
    migrations,
    enqueue: async () => {},
    enqueueOps: () => [],
    flush: () => {},
    request: async () => ({ status: 200, contentType: '', body: '' }),
    deadLetters: async () => [],
    pending: async () => 0,
    deadLetterCount: async () => 0,
    drain: async () => {
      events.push('webhooks.drain');
    },
    start: async () => {
      events.push('webhooks.start');
    },
    stop: async () => {
      events.push('webhooks.stop');
    },
  };
}

function countingStore(store: Store, migrated: string[]): Store {
  return {
    kind: store.kind,
    migrate: (ms) => {
      migrated.push(...ms.map((m) => m.id));
      return store.migrate(ms);
    },
    all: (sql, params) => store.all(sql, params),
    get: (sql, params) => store.get(sql, params),
    write: (ops) => store.write(ops),
    close: () => store.close(),
  };
}

describe('createCell', () => {
  let store: Store;
  let events: string[];
  let migrated: string[];
  let log: ReturnType<typeof recordingLogger>;
  let ctx: CellContext;
  let seen: RouteContext[];

  beforeEach(async () => {
    store = await openMemoryStore();
    events = [];
    migrated = [];
    seen = [];
    log = recordingLogger();
    ctx = createCellContext({
      config: { cellId: 'cell-test', region: 'us1', profile: 'lab' },
      store: countingStore(store, migrated),
      queue: {} as unknown as Queue,
      cache: {} as unknown as Cache,
      identity: fakeIdentity(),
      superNetwork: {} as unknown as CellContext['superNetwork'],
      webhooks: fakeWebhooks(events),
      log,
    });
  });

  afterEach(async () => {
    await store.close();
  });

  function module(name: string, migrations: Migration[], extra: Partial<ProductModule> = {}): ProductModule {
    return {
      name,
      migrations,
      routes: () => [
        {
          method: 'POST',
          product: 'api',
          path: `/${name}/:Sid.json`,
          handler: (rc) => {
            seen.push(rc);
            return { status: 201, body: JSON.stringify({ sid: rc.params.Sid }) };
          },
        },
        {
          method: 'GET',
          product: 'api',
          path: `/${name}/:Sid.json`,
          handler: () => ({ status: 200, body: '{}' }),
        },
        {
          method: 'GET',
          product: 'api',
          path: `/${name}/boom`,
          handler: () => {
            throw new Error('secret internal detail');
          },
        },
        {
          method: 'GET',
          product: 'api',
          path: `/${name}/store-down`,
          handler: () => {
            throw new BackendError(
              'STORE_UNAVAILABLE',
              'PostgreSQL at 127.0.0.1:15432 refused the connection',
            );
          },
        },
        {
          method: 'GET',
          product: 'api',
          path: `/${name}/invalid`,
          handler: async () => {
            throw twilioError(21602);
          },
        },
      ],
      start: async () => {
        events.push(`${name}.start`);
      },
      stop: async () => {
        events.push(`${name}.stop`);
      },
      ...extra,
    };
  }

  it('runs migrations once (outbox first), then starts webhooks and modules in order', async () => {
    const cell = createCell({
      context: ctx,
      modules: [
        module('alpha', [{ id: 'alpha-001', sql: 'CREATE TABLE alpha (id TEXT PRIMARY KEY)' }]),
        module('beta', [{ id: 'beta-001', sql: 'CREATE TABLE beta (id TEXT PRIMARY KEY)' }]),
      ],
    });
    await cell.start();
    await cell.start();
    assert.deepEqual(migrated, ['fake-webhooks-001', 'alpha-001', 'beta-001']);
    assert.deepEqual(events, ['webhooks.start', 'alpha.start', 'beta.start']);
    const tables = await store.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('alpha', 'beta', 'fake_webhooks') ORDER BY name",
    );
    assert.deepEqual(
      tables.map((t) => t.name),
      ['alpha', 'beta', 'fake_webhooks'],
    );
    assert.equal(cell.cellId, 'cell-test');
    await cell.stop();
  });

  it('passes decoded params, form (only for form bodies) and query to the handler', async () => {
    const cell = createCell({ context: ctx, modules: [module('alpha', [])] });
    const res = await cell.handle(
      request({
        method: 'POST',
        path: '/alpha/%2B1500.json',
        query: 'PageSize=2&DateSent%3C=2024-01-01',
        body: 'Body=hello+world&MediaUrl=a&MediaUrl=b',
        contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      }),
    );
    assert.equal(res.status, 201);
    assert.deepEqual(JSON.parse(res.body), { sid: '+1500' });
    const rc = seen[0];
    assert.ok(rc !== undefined);
    assert.equal(rc.form.get('Body'), 'hello world');
    assert.deepEqual(rc.form.getAll('MediaUrl'), ['a', 'b']);
    assert.equal(rc.query.get('PageSize'), '2');
    assert.equal(rc.query.get('DateSent<'), '2024-01-01');

    await cell.handle(
      request({
        method: 'POST',
        path: '/alpha/x.json',
        body: '{"Body":"json"}',
        contentType: 'application/json',
      }),
    );
    assert.equal(seen[1]?.form.size, 0);
    assert.equal(seen[1]?.query.size, 0);
  });

  it('answers an unknown path with 404 / 20404 naming the path', async () => {
    const cell = createCell({ context: ctx, modules: [module('alpha', [])] });
    const res = await cell.handle(request({ path: '/nope/here.json' }));
    assert.equal(res.status, 404);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body.code, 20404);
    assert.equal(body.status, 404);
    assert.match(String(body.message), /\/nope\/here\.json/);
    assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20404');
  });

  it('answers a wrong method with 405 / 20004 and an Allow header', async () => {
    const cell = createCell({ context: ctx, modules: [module('alpha', [])] });
    const res = await cell.handle(request({ method: 'DELETE', path: '/alpha/X1.json' }));
    assert.equal(res.status, 405);
    assert.equal(res.headers?.Allow, 'GET, POST');
    assert.equal((JSON.parse(res.body) as { code: number }).code, 20004);
  });

  it('keeps a TwilioError code and turns anything else into a logged 500 / 20500', async () => {
    const cell = createCell({ context: ctx, modules: [module('alpha', [])] });
    const invalid = await cell.handle(request({ path: '/alpha/invalid' }));
    assert.equal(invalid.status, 400);
    assert.equal((JSON.parse(invalid.body) as { code: number }).code, 21602);
    assert.equal(log.records.filter((r) => r.level === 'error').length, 0);

    const boom = await cell.handle(request({ path: '/alpha/boom' }));
    assert.equal(boom.status, 500);
    const body = JSON.parse(boom.body) as { code: number; message: string };
    assert.equal(body.code, 20500);
    assert.doesNotMatch(body.message, /secret internal detail/);
    const errors = log.records.filter((r) => r.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal((errors[0]?.obj as { err: Error }).err.message, 'secret internal detail');
  });

  it('answers 503 / 20503 when a backend engine is unreachable, without leaking its address', async () => {
    const cell = createCell({ context: ctx, modules: [module('alpha', [])] });
    const res = await cell.handle(request({ path: '/alpha/store-down' }));
    assert.equal(res.status, 503);
    const body = JSON.parse(res.body) as { code: number; message: string; status: number };
    assert.equal(body.code, 20503);
    assert.equal(body.status, 503);
    assert.doesNotMatch(body.message, /15432/);
  });

  it('answers 503 / 20503 once stop begins, stops modules in reverse, then drains and stops webhooks', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = module('slow', [], {
      routes: () => [
        {
          method: 'GET',
          product: 'api',
          path: '/slow',
          handler: async () => {
            await gate;
            events.push('slow.handler-done');
            return { status: 200, body: '{}' };
          },
        },
      ],
    });
    const cell = createCell({ context: ctx, modules: [module('alpha', []), slow] });
    await cell.start();
    events.length = 0;
    const inFlight = cell.handle(request({ path: '/slow' }));
    const stopping = cell.stop(5_000);
    const refused = await cell.handle(request({ path: '/alpha/X.json' }));
    assert.equal(refused.status, 503);
    assert.equal((JSON.parse(refused.body) as { code: number }).code, 20503);
    release();
    assert.equal((await inFlight).status, 200);
    await stopping;
    assert.deepEqual(events, [
      'slow.handler-done',
      'slow.stop',
      'alpha.stop',
      'webhooks.drain',
      'webhooks.stop',
    ]);
  });
});
