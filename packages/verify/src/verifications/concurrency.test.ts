import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startVerifyHarness } from '../testing/harness.js';
import type { VerifyHarness } from '../testing/harness.js';

const TO = '+15017122661';

describe('concurrent starts and checks for one number', () => {
  let h: VerifyHarness;
  let va: string;
  const start = () => h.call('POST', `/v2/Services/${va}/Verifications`, { To: TO, Channel: 'sms' });
  const check = (code: string) =>
    h.call('POST', `/v2/Services/${va}/VerificationCheck`, { To: TO, Code: code });

  beforeEach(async () => {
    h = await startVerifyHarness();
    va = await h.service();
  });
  afterEach(() => h.close());

  it('concurrent first starts create one verification and never exceed five sends', async () => {
    // Hold the first delivery so every start arrives while the verification is being created.
    h.channels.hold();
    const pending = Array.from({ length: 8 }, () => start());
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.channels.release();
    const results = await Promise.all(pending);
    const created = results.filter((r) => r.status === 201);
    const limited = results.filter((r) => r.status === 429);
    assert.equal(created.length, 5, JSON.stringify(results.map((r) => r.status)));
    assert.equal(limited.length, 3);
    for (const r of limited) assert.equal(r.json.code, 60203);
    assert.equal(new Set(created.map((r) => r.json.sid)).size, 1, 'one verification SID');
    assert.equal(h.channels.deliveries.length, 5);
    assert.equal(new Set(h.channels.deliveries.map((d) => d.code)).size, 1, 'one code');
    const fetched = await h.call('GET', `/v2/Services/${va}/Verifications/${TO}`);
    assert.equal((fetched.json.send_code_attempts as unknown[]).length, 5);
  });

  it('concurrent wrong checks evaluate at most five, the rest are 429 60202', async () => {
    await start();
    const wrong = h.channels.lastCode() === '000000' ? '111111' : '000000';
    const results = await Promise.all(Array.from({ length: 9 }, () => check(wrong)));
    const evaluated = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    assert.equal(evaluated.length, 5, JSON.stringify(results.map((r) => r.status)));
    for (const r of evaluated) assert.equal(r.json.status, 'pending');
    assert.equal(limited.length, 4);
    for (const r of limited) assert.equal(r.json.code, 60202);
    assert.equal((await check(h.channels.lastCode())).status, 404);
  });

  it('concurrent right checks approve exactly once', async () => {
    await start();
    const code = h.channels.lastCode();
    const results = await Promise.all(Array.from({ length: 4 }, () => check(code)));
    const approved = results.filter((r) => r.status === 200 && r.json.status === 'approved');
    assert.equal(approved.length, 1, JSON.stringify(results.map((r) => [r.status, r.json.status])));
    for (const r of results) if (r !== approved[0]) assert.equal(r.status, 404);
  });

  it('a cancel racing a right check: exactly one of them ends the verification', async () => {
    const started = await start();
    const code = h.channels.lastCode();
    const [canceled, checked] = await Promise.all([
      h.call('POST', `/v2/Services/${va}/Verifications/${started.json.sid as string}`, {
        Status: 'canceled',
      }),
      check(code),
    ]);
    const winners = [canceled.status, checked.status].filter((s) => s === 200);
    assert.equal(winners.length, 1, `cancel ${canceled.status}, check ${checked.status}`);
  });

  it('another cell sharing the cache checks a verification started here', async () => {
    await start();
    const peer = await h.peer();
    const res = await peer.call('POST', `/v2/Services/${va}/VerificationCheck`, {
      To: TO,
      Code: h.channels.lastCode(),
    });
    assert.equal(res.json.status, 'approved');
    assert.equal((await check(h.channels.lastCode())).status, 404);
  });

  it('with a shared codeSecret another cell resends the same SID and code', async () => {
    await h.close();
    h = await startVerifyHarness({ verify: { codeSecret: 'shared' } });
    va = await h.service();
    const first = await start();
    const peer = await h.peer({ codeSecret: 'shared' });
    const resent = await peer.call('POST', `/v2/Services/${va}/Verifications`, { To: TO, Channel: 'sms' });
    assert.equal(resent.status, 201);
    assert.equal(resent.json.sid, first.json.sid);
    assert.equal(peer.channels.lastCode(), h.channels.lastCode());
    assert.equal((resent.json.send_code_attempts as unknown[]).length, 2);
  });
});
