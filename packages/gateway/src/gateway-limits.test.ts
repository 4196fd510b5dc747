import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { authOf, call, startHarness } from './test-support.js';
import type { Harness } from './test-support.js';

interface RawReply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * Sends a chunked (no Content-Length) body piece by piece with node:http. The server may
 * answer and close before the last piece is written; write errors after the answer are the
 * expected outcome, not a failure.
 */
function sendChunked(base: string, path: string, auth: string, pieces: readonly Buffer[]): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    void (async () => {
      for (const piece of pieces) {
        if (answered || req.destroyed) return;
        req.write(piece);
        await new Promise((r) => setTimeout(r, 10));
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

describe('gateway: limits', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({ bodyLimitBytes: 1024, rateLimit: { ratePerSec: 0.5, burst: 3 } });
  });
  after(() => h.close());

  it('answers 429 20429 with Retry-After once the burst is spent, per account', async () => {
    const limited = await h.identity.createAccount({});
    const url = `${h.base}/messaging/v1/Services`;
    for (let i = 0; i < 3; i++) assert.equal((await call(url, { auth: authOf(limited) })).status, 200);
    const r = await call(url, { auth: authOf(limited) });
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 20429);
    assert.equal(r.json.status, 429);
    const retryAfter = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${r.headers.get('retry-after')}`);

    const neighbour = await h.identity.createAccount({});
    assert.equal((await call(url, { auth: authOf(neighbour) })).status, 200, 'buckets are per account');
  });

  it('413 20413 at once when Content-Length exceeds the limit', async () => {
    const r = await call(`${h.base}/messaging/v1/Services`, {
      method: 'POST',
      auth: authOf(h.main),
      body: 'FriendlyName=' + 'x'.repeat(2000),
    });
    assert.equal(r.status, 413);
    assert.equal(r.json.code, 20413);
    assert.equal(r.json.status, 413);
  });

  it('413 when a chunked body grows past the limit', async () => {
    const before = h.router.cell.requests.length;
    const piece = Buffer.alloc(400, 0x61);
    const r = await sendChunked(h.base, '/messaging/v1/Services', authOf(h.main), [
      piece,
      piece,
      piece,
      piece,
    ]);
    assert.equal(r.status, 413);
    assert.equal((JSON.parse(r.body) as { code: number }).code, 20413);
    assert.equal(h.router.cell.requests.length, before, 'nothing reached the cell');
  });

  it('a chunked body under the limit is assembled in order', async () => {
    const r = await sendChunked(h.base, '/messaging/v1/Services', authOf(h.main), [
      Buffer.from('Friendly'),
      Buffer.from('Name=caf'),
      Buffer.from([0xc3]),
      Buffer.from([0xa9]),
    ]);
    assert.equal(r.status, 200);
    assert.equal(h.router.cell.requests.at(-1)?.body, 'FriendlyName=café', 'a split UTF-8 sequence survives');
  });

  it('a client aborting mid-body does not crash the server', async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: h.gateway.port,
        path: '/messaging/v1/Services',
        method: 'POST',
        agent: false,
        headers: { authorization: authOf(h.main), 'content-length': '900' },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(Buffer.alloc(100, 0x62));
      setTimeout(() => req.destroy(), 20);
    });
    const r = await call(`${h.base}/healthz`);
    assert.equal(r.status, 200);
    const api = await call(`${h.base}/video/v1/Rooms`, { auth: authOf(h.main) });
    assert.notEqual(api.status, 500);
  });
});

describe('gateway: drain', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('serves before drain(), answers 503 20503 after, and health says draining', async () => {
    const url = `${h.base}/verify/v2/Services`;
    assert.equal((await call(url, { auth: authOf(h.main) })).status, 200);
    h.gateway.drain();
    const r = await call(url, { auth: authOf(h.main) });
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 20503);
    const health = await call(`${h.base}/healthz`);
    assert.equal(health.status, 503);
    assert.deepEqual(health.json, { status: 'draining' });
  });
});

describe('gateway with a shared (async) rate limiter', () => {
  it('answers 429 from a shared limiter, and fails open when the limiter is unreachable', async () => {
    let down = false;
    const taken: string[] = [];
    const h = await startHarness({
      rateLimit: { ratePerSec: 1, burst: 1 },
      rateLimiter: {
        async take(accountSid) {
          if (down) throw new Error('redis unreachable');
          taken.push(accountSid);
          return taken.length === 1
            ? { ok: true, retryAfterMs: 0, remaining: 0 }
            : { ok: false, retryAfterMs: 2_500, remaining: 0 };
        },
      },
    });
    try {
      const url = `${h.base}/verify/v2/Services`;
      assert.equal((await call(url, { auth: authOf(h.main) })).status, 200);
      const limited = await call(url, { auth: authOf(h.main) });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.code, 20429);
      assert.equal(limited.headers.get('retry-after'), '3');
      assert.deepEqual(taken, [h.main.sid, h.main.sid], 'the bucket is the authenticated account');
      down = true;
      assert.equal((await call(url, { auth: authOf(h.main) })).status, 200, 'fail open');
    } finally {
      await h.close();
    }
  });
});
