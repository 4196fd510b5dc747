import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startVerifyHarness } from '../testing/harness.js';
import type { VerifyHarness } from '../testing/harness.js';

describe('rate limits and buckets', () => {
  let h: VerifyHarness;
  let va: string;
  beforeEach(async () => {
    h = await startVerifyHarness();
    va = await h.service();
  });
  afterEach(() => h.close());

  const base = () => `/v2/Services/${va}/RateLimits`;

  it('CRUD: rate limits by SID or unique name, buckets under them', async () => {
    const created = await h.call('POST', base(), { UniqueName: 'end_user_ip', Description: 'per IP' });
    assert.equal(created.status, 201);
    const rk = created.json.sid as string;
    assert.match(rk, /^RK[0-9a-f]{32}$/);
    assert.equal(created.json.service_sid, va);
    assert.equal(created.json.unique_name, 'end_user_ip');
    assert.equal(created.json.description, 'per IP');
    assert.equal(created.json.url, `http://127.0.0.1:3000/verify${base()}/${rk}`);
    assert.deepEqual(created.json.links, { buckets: `http://127.0.0.1:3000/verify${base()}/${rk}/Buckets` });

    const duplicate = await h.call('POST', base(), { UniqueName: 'end_user_ip' });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.json.code, 60200);
    assert.equal((await h.call('POST', base(), {})).json.code, 60200);

    assert.equal((await h.call('GET', `${base()}/end_user_ip`)).json.sid, rk);
    const updated = await h.call('POST', `${base()}/${rk}`, { Description: 'changed' });
    assert.equal(updated.json.description, 'changed');
    const list = await h.call('GET', base());
    assert.equal((list.json.meta as { key: string }).key, 'rate_limits');
    assert.deepEqual(
      (list.json.rate_limits as { sid: string }[]).map((r) => r.sid),
      [rk],
    );

    const bucket = await h.call('POST', `${base()}/${rk}/Buckets`, { Max: '5', Interval: '60' });
    assert.equal(bucket.status, 201);
    const bl = bucket.json.sid as string;
    assert.match(bl, /^BL[0-9a-f]{32}$/);
    assert.equal(bucket.json.max, 5);
    assert.equal(bucket.json.interval, 60);
    assert.equal(bucket.json.rate_limit_sid, rk);
    assert.equal(bucket.json.url, `http://127.0.0.1:3000/verify${base()}/${rk}/Buckets/${bl}`);
    assert.equal((await h.call('POST', `${base()}/${rk}/Buckets`, { Max: '5' })).json.code, 60200);
    const bucketUpdate = await h.call('POST', `${base()}/${rk}/Buckets/${bl}`, { Max: '7' });
    assert.equal(bucketUpdate.json.max, 7);
    assert.equal(bucketUpdate.json.interval, 60);
    const buckets = await h.call('GET', `${base()}/${rk}/Buckets`);
    assert.equal((buckets.json.meta as { key: string }).key, 'buckets');
    assert.equal((buckets.json.buckets as unknown[]).length, 1);
    assert.equal((await h.call('DELETE', `${base()}/${rk}/Buckets/${bl}`)).status, 204);
    assert.equal((await h.call('GET', `${base()}/${rk}/Buckets/${bl}`)).status, 404);
    assert.equal((await h.call('DELETE', `${base()}/${rk}`)).status, 204);
    assert.equal((await h.call('GET', `${base()}/${rk}`)).status, 404);
  });

  it('enforces buckets on start: 429 20429 with Retry-After and the rate limit named', async () => {
    const rk = (await h.call('POST', base(), { UniqueName: 'user' })).json.sid as string;
    await h.call('POST', `${base()}/${rk}/Buckets`, { Max: '2', Interval: '60' });
    const start = (to: string, user: string, form: 'json' | 'brackets' = 'json') =>
      h.call('POST', `/v2/Services/${va}/Verifications`, {
        To: to,
        Channel: 'sms',
        ...(form === 'json' ? { RateLimits: JSON.stringify({ user }) } : { 'RateLimits[user]': user }),
      });
    assert.equal((await start('+15550000001', 'alice')).status, 201);
    assert.equal((await start('+15550000002', 'alice', 'brackets')).status, 201);
    const third = await start('+15550000003', 'alice');
    assert.equal(third.status, 429);
    assert.equal(third.json.code, 20429);
    assert.equal(third.headers['Twilio-Reached-Rate-Limit'], 'user');
    assert.ok(Number(third.headers['Retry-After']) >= 1);
    assert.equal((await start('+15550000004', 'bob')).status, 201, 'other values have their own count');
    h.clock.offset += 60_000;
    assert.equal((await start('+15550000005', 'alice')).status, 201, 'a new window');
    const unknown = await h.call('POST', `/v2/Services/${va}/Verifications`, {
      To: '+15550000006',
      Channel: 'sms',
      RateLimits: JSON.stringify({ nope: 'x' }),
    });
    assert.equal(unknown.json.code, 60200);
    const badJson = await h.call('POST', `/v2/Services/${va}/Verifications`, {
      To: '+15550000006',
      Channel: 'sms',
      RateLimits: '{',
    });
    assert.equal(badJson.json.code, 60200);
  });
});

describe('fraud guard', () => {
  let h: VerifyHarness;
  afterEach(() => h.close());

  it('blocks listed prefixes with 403 60410', async () => {
    h = await startVerifyHarness({ verify: { fraudGuard: { blockedPrefixes: ['+882', '+4470'] } } });
    const va = await h.service();
    const blocked = await h.call('POST', `/v2/Services/${va}/Verifications`, {
      To: '+88212345678',
      Channel: 'sms',
    });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.json.code, 60410);
    assert.equal(h.channels.deliveries.length, 0);
    const fine = await h.call('POST', `/v2/Services/${va}/Verifications`, {
      To: '+447912345678',
      Channel: 'sms',
    });
    assert.equal(fine.status, 201);
  });

  it('limits velocity per destination country', async () => {
    h = await startVerifyHarness({ verify: { fraudGuard: { perPrefixPerSec: 0.001, perPrefixBurst: 2 } } });
    const va = await h.service();
    const start = (to: string) =>
      h.call('POST', `/v2/Services/${va}/Verifications`, { To: to, Channel: 'sms' });
    assert.equal((await start('+33612345671')).status, 201);
    assert.equal((await start('+33612345672')).status, 201);
    const third = await start('+33612345673');
    assert.equal(third.status, 403);
    assert.equal(third.json.code, 60410);
    assert.equal((await start('+4915112345678')).status, 201, 'another country has its own bucket');
  });

  it('the default guard lets a burst of starts through', async () => {
    h = await startVerifyHarness();
    const va = await h.service();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        h.call('POST', `/v2/Services/${va}/Verifications`, {
          To: `+1555${String(i).padStart(7, '0')}`,
          Channel: 'sms',
        }),
      ),
    );
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
  });
});
