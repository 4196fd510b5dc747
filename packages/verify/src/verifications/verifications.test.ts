import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startVerifyHarness } from '../testing/harness.js';
import type { VerifyHarness } from '../testing/harness.js';

const TO = '+15017122661';
const SID_PATTERN = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

describe('verification state machine', () => {
  let h: VerifyHarness;
  let va: string;
  const start = (fields: Record<string, string> = {}) =>
    h.call('POST', `/v2/Services/${va}/Verifications`, { To: TO, Channel: 'sms', ...fields });
  const check = (fields: Record<string, string>) =>
    h.call('POST', `/v2/Services/${va}/VerificationCheck`, fields);

  beforeEach(async () => {
    h = await startVerifyHarness();
    va = await h.service();
  });
  afterEach(() => h.close());

  it('starts a verification: 201 pending, one attempt, the code delivered with the service name', async () => {
    const res = await start();
    assert.equal(res.status, 201);
    assert.match(res.json.sid as string, SID_PATTERN('VE'));
    assert.equal(res.json.service_sid, va);
    assert.equal(res.json.account_sid, h.account.sid);
    assert.equal(res.json.to, TO);
    assert.equal(res.json.channel, 'sms');
    assert.equal(res.json.status, 'pending');
    assert.equal(res.json.valid, false);
    assert.deepEqual(res.json.lookup, {});
    assert.equal(res.json.amount, null);
    assert.equal(res.json.payee, null);
    assert.equal(res.json.sna, null);
    assert.match(res.json.date_created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(
      res.json.url,
      `http://127.0.0.1:3000/verify/v2/Services/${va}/Verifications/${res.json.sid as string}`,
    );
    const attempts = res.json.send_code_attempts as Record<string, string>[];
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.channel, 'SMS');
    assert.match(attempts[0]?.attempt_sid ?? '', SID_PATTERN('VL'));
    const delivery = h.channels.deliveries[0];
    assert.ok(delivery);
    assert.match(delivery.code, /^\d{6}$/);
    assert.equal(delivery.body, `Your Acme verification code is: ${delivery.code}`);
    assert.equal(delivery.verificationSid, res.json.sid);
    assert.equal(delivery.serviceSid, va);
    assert.equal(delivery.accountSid, h.account.sid);
    assert.equal(delivery.locale, 'en');
    assert.equal(delivery.channel, 'sms');
  });

  it('never keeps the plain code in the cache', async () => {
    await start();
    const code = h.channels.lastCode();
    const record = await h.cache.get(`verify:${va}:to:${TO}`);
    assert.ok(record !== undefined);
    assert.ok(!record.includes(code), 'the record holds the code');
    assert.match(JSON.parse(record).codeHash as string, /^[0-9a-f]{64}$/);
  });

  it('a repeat start within the validity reuses the SID and the code and appends an attempt', async () => {
    const first = await start();
    const second = await start({ Channel: 'call' });
    assert.equal(second.status, 201);
    assert.equal(second.json.sid, first.json.sid);
    assert.equal(second.json.channel, 'call');
    const attempts = second.json.send_code_attempts as Record<string, string>[];
    assert.deepEqual(
      attempts.map((a) => a.channel),
      ['SMS', 'CALL'],
    );
    assert.notEqual(attempts[0]?.attempt_sid, attempts[1]?.attempt_sid);
    assert.equal(h.channels.deliveries.length, 2);
    assert.equal(h.channels.deliveries[1]?.code, h.channels.deliveries[0]?.code);
  });

  it('a sixth send is 429 60203 with Retry-After and Twilio-Reached-Rate-Limit', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await start()).status, 201);
    const res = await start();
    assert.equal(res.status, 429);
    assert.equal(res.json.code, 60203);
    assert.equal(res.json.more_info, 'https://www.twilio.com/docs/errors/60203');
    const retryAfter = Number(res.headers['Retry-After']);
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${res.headers['Retry-After']}`);
    assert.ok(res.headers['Twilio-Reached-Rate-Limit']);
    assert.equal(h.channels.deliveries.length, 5);
  });

  it('a wrong check is 200 pending/false and the right one approves', async () => {
    const started = await start();
    const wrong = await check({ To: TO, Code: '000000' === h.channels.lastCode() ? '111111' : '000000' });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.json.status, 'pending');
    assert.equal(wrong.json.valid, false);
    const right = await check({ To: TO, Code: h.channels.lastCode() });
    assert.equal(right.status, 200);
    assert.equal(right.json.status, 'approved');
    assert.equal(right.json.valid, true);
    assert.equal(right.json.sid, started.json.sid);
    assert.deepEqual(right.json.sna_attempts_error_codes, []);
    assert.equal('url' in right.json, false);
  });

  it('checks by VerificationSid', async () => {
    const started = await start();
    const right = await check({ VerificationSid: started.json.sid as string, Code: h.channels.lastCode() });
    assert.equal(right.json.status, 'approved');
  });

  it('after approval the verification is gone: fetch and check are 404 20404, a new start gets a new SID', async () => {
    const started = await start();
    const code = h.channels.lastCode();
    assert.equal((await check({ To: TO, Code: code })).json.status, 'approved');
    const fetched = await h.call('GET', `/v2/Services/${va}/Verifications/${started.json.sid as string}`);
    assert.equal(fetched.status, 404);
    assert.equal(fetched.json.code, 20404);
    const again = await check({ To: TO, Code: code });
    assert.equal(again.status, 404);
    assert.equal(again.json.code, 20404);
    const restarted = await start();
    assert.equal(restarted.status, 201);
    assert.notEqual(restarted.json.sid, started.json.sid);
  });

  it('a sixth check is 429 60202 and the verification is then gone', async () => {
    const started = await start();
    const wrongCode = h.channels.lastCode() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) assert.equal((await check({ To: TO, Code: wrongCode })).status, 200);
    const sixth = await check({ To: TO, Code: h.channels.lastCode() });
    assert.equal(sixth.status, 429);
    assert.equal(sixth.json.code, 60202);
    const fetched = await h.call('GET', `/v2/Services/${va}/Verifications/${started.json.sid as string}`);
    assert.equal(fetched.status, 404);
    assert.equal((await check({ To: TO, Code: h.channels.lastCode() })).status, 404);
  });

  it('expires after 10 minutes: fetch and check are 404, the next start is a new verification', async () => {
    const started = await start();
    const code = h.channels.lastCode();
    h.clock.offset += 9 * 60 * 1000;
    const stillThere = await h.call('GET', `/v2/Services/${va}/Verifications/${started.json.sid as string}`);
    assert.equal(stillThere.status, 200);
    h.clock.offset += 61 * 1000;
    const fetched = await h.call('GET', `/v2/Services/${va}/Verifications/${started.json.sid as string}`);
    assert.equal(fetched.status, 404);
    assert.equal((await check({ To: TO, Code: code })).status, 404);
    const restarted = await start();
    assert.notEqual(restarted.json.sid, started.json.sid);
  });

  it('fetches by SID and by To, with every attempt', async () => {
    const started = await start();
    await start({ Channel: 'whatsapp' });
    const bySid = await h.call('GET', `/v2/Services/${va}/Verifications/${started.json.sid as string}`);
    assert.equal(bySid.status, 200);
    assert.equal(bySid.json.status, 'pending');
    assert.equal((bySid.json.send_code_attempts as unknown[]).length, 2);
    const byTo = await h.call('GET', `/v2/Services/${va}/Verifications/${TO}`);
    assert.equal(byTo.status, 200);
    assert.equal(byTo.json.sid, started.json.sid);
  });

  it('update Status=canceled answers canceled and the verification is gone', async () => {
    const started = await start();
    const sid = started.json.sid as string;
    const canceled = await h.call('POST', `/v2/Services/${va}/Verifications/${sid}`, { Status: 'canceled' });
    assert.equal(canceled.status, 200);
    assert.equal(canceled.json.status, 'canceled');
    assert.equal(canceled.json.valid, false);
    assert.equal((await h.call('GET', `/v2/Services/${va}/Verifications/${sid}`)).status, 404);
    assert.equal((await check({ To: TO, Code: h.channels.lastCode() })).status, 404);
  });

  it('update Status=approved by To approves it', async () => {
    await start();
    const approved = await h.call('POST', `/v2/Services/${va}/Verifications/${TO}`, { Status: 'approved' });
    assert.equal(approved.status, 200);
    assert.equal(approved.json.status, 'approved');
    assert.equal(approved.json.valid, true);
    const bad = await h.call('POST', `/v2/Services/${va}/Verifications/${TO}`, { Status: 'pending' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 60200);
  });

  it('rejects a bad To, a bad Channel and an unknown service', async () => {
    const badTo = await start({ To: '12345' });
    assert.equal(badTo.status, 400);
    assert.equal(badTo.json.code, 60200);
    assert.match(badTo.json.message as string, /To/);
    const badChannel = await start({ Channel: 'pigeon' });
    assert.equal(badChannel.json.code, 60200);
    assert.match(badChannel.json.message as string, /Channel/);
    const sna = await start({ Channel: 'sna' });
    assert.equal(sna.json.code, 60200);
    const noService = await h.call('POST', `/v2/Services/VA${'0'.repeat(32)}/Verifications`, {
      To: TO,
      Channel: 'sms',
    });
    assert.equal(noService.status, 404);
    const otherAccount = await h.call(
      'POST',
      `/v2/Services/${va}/Verifications`,
      { To: TO, Channel: 'sms' },
      h.other.sid,
    );
    assert.equal(otherAccount.status, 404);
    assert.equal(h.channels.deliveries.length, 0);
  });

  it('email verifications take an address and report EMAIL attempts', async () => {
    const res = await start({ To: 'user@example.com', Channel: 'email' });
    assert.equal(res.status, 201);
    assert.equal((res.json.send_code_attempts as Record<string, string>[])[0]?.channel, 'EMAIL');
    assert.equal((await start({ To: 'not-an-address', Channel: 'email' })).json.code, 60200);
  });

  it('uses the service code length, the locale and the do-not-share warning', async () => {
    const other = await h.service({
      FriendlyName: 'Bank',
      CodeLength: '8',
      DoNotShareWarningEnabled: 'true',
    });
    const res = await h.call('POST', `/v2/Services/${other}/Verifications`, {
      To: TO,
      Channel: 'sms',
      Locale: 'es',
    });
    assert.equal(res.status, 201);
    const delivery = h.channels.deliveries[0];
    assert.ok(delivery);
    assert.match(delivery.code, /^\d{8}$/);
    assert.equal(delivery.locale, 'es');
    assert.ok(delivery.body.includes('Bank') && delivery.body.includes(delivery.code));
    assert.ok(delivery.body.startsWith('Tu código'), delivery.body);
    assert.ok(
      delivery.body.length > `Tu código de verificación de Bank es: ${delivery.code}`.length,
      'no warning',
    );
    assert.equal((await start({ Locale: 'not a locale' })).json.code, 60200);
  });

  it('a delivery failure is 503 20503 and leaves nothing behind', async () => {
    h.channels.fail = true;
    const failed = await start();
    assert.equal(failed.status, 503);
    assert.equal(failed.json.code, 20503);
    assert.equal((await h.call('GET', `/v2/Services/${va}/Verifications/${TO}`)).status, 404);
    h.channels.fail = false;
    const ok = await start();
    assert.equal(ok.status, 201);
    assert.equal((ok.json.send_code_attempts as unknown[]).length, 1);
  });

  it('a failed resend does not count against the send limit', async () => {
    await start();
    h.channels.fail = true;
    assert.equal((await start()).status, 503);
    h.channels.fail = false;
    for (let i = 0; i < 4; i++) assert.equal((await start()).status, 201, `resend ${i + 2}`);
    const sixth = await start();
    assert.equal(sixth.status, 429);
    const fetched = await h.call('GET', `/v2/Services/${va}/Verifications/${TO}`);
    assert.equal((fetched.json.send_code_attempts as unknown[]).length, 5);
  });
});

describe('custom codes, PSD2, landlines, lookup', () => {
  let h: VerifyHarness;
  afterEach(() => h.close());

  it('CustomCode needs custom_code_enabled', async () => {
    h = await startVerifyHarness();
    const plain = await h.service();
    const refused = await h.call('POST', `/v2/Services/${plain}/Verifications`, {
      To: TO,
      Channel: 'sms',
      CustomCode: '4242',
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 60200);
    const custom = await h.service({ CustomCodeEnabled: 'true' });
    const started = await h.call('POST', `/v2/Services/${custom}/Verifications`, {
      To: TO,
      Channel: 'sms',
      CustomCode: '4242',
    });
    assert.equal(started.status, 201);
    assert.equal(h.channels.lastCode(), '4242');
    const resendWithout = await h.call('POST', `/v2/Services/${custom}/Verifications`, {
      To: TO,
      Channel: 'sms',
    });
    assert.equal(resendWithout.json.code, 60200);
    const check = await h.call('POST', `/v2/Services/${custom}/VerificationCheck`, { To: TO, Code: '4242' });
    assert.equal(check.json.status, 'approved');
  });

  it('PSD2 services require Amount and Payee and echo them; others refuse them', async () => {
    h = await startVerifyHarness();
    const psd2 = await h.service({ Psd2Enabled: 'true' });
    const missing = await h.call('POST', `/v2/Services/${psd2}/Verifications`, { To: TO, Channel: 'sms' });
    assert.equal(missing.json.code, 60200);
    const started = await h.call('POST', `/v2/Services/${psd2}/Verifications`, {
      To: TO,
      Channel: 'sms',
      Amount: '€39.99',
      Payee: 'Acme Inc.',
    });
    assert.equal(started.status, 201);
    assert.equal(started.json.amount, '€39.99');
    assert.equal(started.json.payee, 'Acme Inc.');
    const code = h.channels.lastCode();
    const wrongAmount = await h.call('POST', `/v2/Services/${psd2}/VerificationCheck`, {
      To: TO,
      Code: code,
      Amount: '€1000',
      Payee: 'Acme Inc.',
    });
    assert.equal(wrongAmount.json.status, 'pending');
    const right = await h.call('POST', `/v2/Services/${psd2}/VerificationCheck`, {
      To: TO,
      Code: code,
      Amount: '€39.99',
      Payee: 'Acme Inc.',
    });
    assert.equal(right.json.status, 'approved');
    assert.equal(right.json.amount, '€39.99');
    const plain = await h.service();
    const refused = await h.call('POST', `/v2/Services/${plain}/Verifications`, {
      To: TO,
      Channel: 'sms',
      Amount: '1',
    });
    assert.equal(refused.json.code, 60200);
  });

  it('SkipSmsToLandlines refuses sms to a landline with 60205 but calls it', async () => {
    const LANDLINE = '+14155550100';
    h = await startVerifyHarness({ verify: { lineType: (to) => (to === LANDLINE ? 'landline' : 'mobile') } });
    const va = await h.service({ SkipSmsToLandlines: 'true', LookupEnabled: 'true' });
    const sms = await h.call('POST', `/v2/Services/${va}/Verifications`, { To: LANDLINE, Channel: 'sms' });
    assert.equal(sms.status, 400);
    assert.equal(sms.json.code, 60205);
    const call = await h.call('POST', `/v2/Services/${va}/Verifications`, { To: LANDLINE, Channel: 'call' });
    assert.equal(call.status, 201);
    assert.equal((call.json.lookup as { carrier: { type: string } }).carrier.type, 'landline');
    const mobile = await h.call('POST', `/v2/Services/${va}/Verifications`, { To: TO, Channel: 'sms' });
    assert.equal(mobile.status, 201);
    assert.equal((mobile.json.lookup as { carrier: { type: string } }).carrier.type, 'mobile');
  });

  it('a channel without a port is 400 60200 naming the missing product', async () => {
    h = await startVerifyHarness({ ports: ['sms'] });
    const va = await h.service();
    for (const channel of ['call', 'email', 'whatsapp']) {
      const to = channel === 'email' ? 'a@b.co' : TO;
      const res = await h.call('POST', `/v2/Services/${va}/Verifications`, { To: to, Channel: channel });
      assert.equal(res.status, 400, channel);
      assert.equal(res.json.code, 60200);
      assert.match(res.json.message as string, /not in this lab yet/);
    }
    assert.equal(
      (await h.call('POST', `/v2/Services/${va}/Verifications`, { To: TO, Channel: 'sms' })).status,
      201,
    );
  });
});
