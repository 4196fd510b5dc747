import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

const OWNED = '+14155550200';

describe('Messages create validation', () => {
  let h: Harness;
  let serviceSid: string;
  before(async () => {
    h = await startHarness();
    await h.provision(OWNED);
    const service = await h.call('POST', '/v1/Services', { FriendlyName: 'pool' });
    serviceSid = String(service.json.sid);
  });
  after(() => h.close());

  async function create(
    fields: Record<string, string | string[]>,
  ): Promise<{ status: number; code: unknown; message: unknown }> {
    const res = await h.call('POST', h.api('/Messages.json'), fields);
    return { status: res.status, code: res.json.code, message: res.json.message };
  }

  const cases: [string, Record<string, string | string[]>, number][] = [
    ['To missing', { From: OWNED, Body: 'x' }, 21604],
    ['To not E.164 (before the From check)', { To: '5551234', Body: 'x' }, 21211],
    ['From and MessagingServiceSid missing', { To: '+14155550999', Body: 'x' }, 21603],
    ['Body, MediaUrl and ContentSid missing', { To: '+14155550999', From: OWNED }, 21602],
    ['empty Body and nothing else', { To: '+14155550999', From: OWNED, Body: '' }, 21602],
    ['Body over 1600 characters', { To: '+14155550999', From: OWNED, Body: 'a'.repeat(1601) }, 21617],
    [
      'more than 10 MediaUrl',
      {
        To: '+14155550999',
        From: OWNED,
        MediaUrl: Array.from({ length: 11 }, (_, i) => `https://m.example/${i}.png`),
      },
      21623,
    ],
    ['bad media URL', { To: '+14155550999', From: OWNED, MediaUrl: 'not a url' }, 21620],
    ['From not E.164', { To: '+14155550999', From: 'abc', Body: 'x' }, 21212],
    ['test To +15005550001', { To: '+15005550001', From: OWNED, Body: 'x' }, 21211],
    ['test To +15005550002', { To: '+15005550002', From: OWNED, Body: 'x' }, 21612],
    ['test To +15005550003', { To: '+15005550003', From: OWNED, Body: 'x' }, 21408],
    ['test To +15005550004', { To: '+15005550004', From: OWNED, Body: 'x' }, 21610],
    ['test To +15005550009', { To: '+15005550009', From: OWNED, Body: 'x' }, 21614],
    ['test From +15005550001', { To: '+14155550999', From: '+15005550001', Body: 'x' }, 21212],
    ['test From +15005550007', { To: '+14155550999', From: '+15005550007', Body: 'x' }, 21606],
    ['test From +15005550008', { To: '+14155550999', From: '+15005550008', Body: 'x' }, 21611],
    ['From not owned', { To: '+14155550999', From: '+14155550777', Body: 'x' }, 21606],
    [
      'unknown MessagingServiceSid',
      { To: '+14155550999', MessagingServiceSid: 'MG' + '0'.repeat(32), Body: 'x' },
      20001,
    ],
    [
      'ValidityPeriod out of range',
      { To: '+14155550999', From: OWNED, Body: 'x', ValidityPeriod: '36001' },
      20001,
    ],
    [
      'ValidityPeriod not a number',
      { To: '+14155550999', From: OWNED, Body: 'x', ValidityPeriod: 'soon' },
      20001,
    ],
    [
      'ScheduleType=fixed without MessagingServiceSid',
      { To: '+14155550999', From: OWNED, Body: 'x', ScheduleType: 'fixed' },
      35118,
    ],
  ];
  for (const [name, fields, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const res = await create(fields);
      assert.equal(res.status, code === 20404 ? 404 : 400);
      assert.equal(res.code, code);
    });
  }

  it("quotes the number in 21211's message", async () => {
    const res = await create({ To: '12345', Body: 'x', From: OWNED });
    assert.equal(res.message, "The 'To' number 12345 is not a valid phone number.");
  });

  it('counts 1600 characters as code points (1600 emoji are accepted)', async () => {
    const ok = await h.call('POST', h.api('/Messages.json'), {
      To: '+14155550999',
      From: OWNED,
      Body: '😀'.repeat(1600),
    });
    assert.equal(ok.status, 201);
  });

  it('a pool-less service cannot send without From (21452)', async () => {
    assert.equal(
      (await create({ To: '+14155550999', MessagingServiceSid: serviceSid, Body: 'x' })).code,
      21452,
    );
  });

  it('SendAt must be 15 minutes to 35 days ahead (35111)', async () => {
    const base = {
      To: '+14155550999',
      From: OWNED,
      MessagingServiceSid: serviceSid,
      Body: 'x',
      ScheduleType: 'fixed',
    };
    assert.equal((await create(base)).code, 35111);
    assert.equal((await create({ ...base, SendAt: 'tomorrow' })).code, 35111);
    assert.equal(
      (await create({ ...base, SendAt: new Date(Date.now() + 60_000).toISOString() })).code,
      35111,
    );
    assert.equal(
      (await create({ ...base, SendAt: new Date(Date.now() + 36 * 86_400_000).toISOString() })).code,
      35111,
    );
  });

  it('From +15005550006 is always a valid sender', async () => {
    const res = await h.call('POST', h.api('/Messages.json'), {
      To: '+14155550999',
      From: '+15005550006',
      Body: 'x',
    });
    assert.equal(res.status, 201);
    assert.equal(res.json.status, 'queued');
  });
});
