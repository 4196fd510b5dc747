/** Probes against a local HTTP server: status, error rate, JSON values, tolerances, variables. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { ChaosError } from './errors.js';
import { parseMeasure } from './parse.js';
import { runProbe, withinTolerance, type ProbeContext } from './probes.js';
import type { ProbeSpec } from './types.js';

describe('probes', () => {
  let server: Server;
  let base = '';
  let calls = 0;

  before(async () => {
    server = createServer((req, res) => {
      calls++;
      if (req.url === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ webhooks: { pending: 3 }, auth: req.headers.authorization ?? null }));
      } else if (req.url === '/flaky') {
        res.writeHead(calls % 2 === 0 ? 500 : 200);
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  const ctx = (): ProbeContext => ({
    vars: { BASE: base },
    callbacks: {},
    signal: new AbortController().signal,
    startedAt: Date.now(),
  });
  const http = (
    path: string,
    measure: string,
    extra: Partial<Extract<ProbeSpec['source'], { type: 'http' }>> = {},
  ): ProbeSpec['source'] => ({
    type: 'http',
    url: `\${BASE}${path}`,
    method: 'GET',
    headers: {},
    expectStatus: [],
    timeoutMs: 2000,
    repeat: 1,
    concurrency: 1,
    measure: parseMeasure(measure),
    ...extra,
  });

  it('reads a JSON value and judges it against the tolerance', async () => {
    const probe: ProbeSpec = {
      name: 'pending',
      source: http('/status', 'json:webhooks.pending'),
      phases: { after: { max: 0 }, before: { max: 5 } },
      abortOnFail: false,
    };
    const failed = await runProbe(probe, 'after', ctx());
    assert.equal(failed.status, 'failed');
    assert.equal(failed.value, 3);
    assert.equal(failed.tolerance, 'max 0');
    assert.equal((await runProbe(probe, 'before', ctx())).status, 'ok');
  });

  it('counts failed requests: error_rate as a value, other measures fail outright', async () => {
    const rate: ProbeSpec = {
      name: 'r',
      source: http('/flaky', 'error_rate', { repeat: 4 }),
      phases: { during: { max: 0.1 } },
      abortOnFail: false,
    };
    const result = await runProbe(rate, 'during', ctx());
    assert.equal(result.value, 0.5);
    assert.equal(result.status, 'failed');
    const status: ProbeSpec = {
      name: 's',
      source: http('/missing', 'status', { expectStatus: [200] }),
      phases: { before: null },
      abortOnFail: false,
    };
    const missing = await runProbe(status, 'before', ctx());
    assert.equal(missing.status, 'failed');
    assert.match(missing.detail ?? '', /1 of 1 requests failed \(HTTP 404\)/);
  });

  it('sends Basic auth from variables and reports a refused connection as a failure', async () => {
    const probe: ProbeSpec = {
      name: 'a',
      source: http('/status', 'json:auth', { auth: { username: 'u', password: '${BASE}' } }),
      phases: { before: { equals: `Basic ${Buffer.from(`u:${base}`).toString('base64')}` } },
      abortOnFail: false,
    };
    assert.equal((await runProbe(probe, 'before', ctx())).status, 'ok');
    const refused: ProbeSpec = {
      name: 'x',
      source: http('/', 'status', { url: 'http://127.0.0.1:1/' }),
      phases: { before: null },
      abortOnFail: false,
    };
    assert.equal((await runProbe(refused, 'before', ctx())).status, 'failed');
  });

  it('throws CHAOS_UNKNOWN_VARIABLE for a ${NAME} without a value', async () => {
    const probe: ProbeSpec = {
      name: 'v',
      source: http('/', 'status', { url: '${MISSING}/x' }),
      phases: { before: null },
      abortOnFail: false,
    };
    await assert.rejects(
      runProbe(probe, 'before', ctx()),
      (err: unknown) => err instanceof ChaosError && err.code === 'CHAOS_UNKNOWN_VARIABLE',
    );
  });

  it('tolerances: min, max, equals; non-numbers fail numeric bounds', () => {
    assert.equal(withinTolerance(5, { min: 1, max: 5 }), true);
    assert.equal(withinTolerance(6, { max: 5 }), false);
    assert.equal(withinTolerance('5', { max: 5 }), false);
    assert.equal(withinTolerance(true, { equals: true }), true);
  });
});
