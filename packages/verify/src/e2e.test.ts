import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labClient } from '@twilio-lab/client';
import { startGatewayHarness } from './testing/harness.js';
import type { GatewayHarness } from './testing/harness.js';

describe('official twilio client through a gateway', () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGatewayHarness();
  });
  after(() => h.close());

  it('services, verifications, checks and errors round-trip', async () => {
    const client = labClient(h.baseUrl, h.account.sid, h.account.authToken);
    const service = await client.verify.v2.services.create({ friendlyName: 'Acme', codeLength: 7 });
    assert.match(service.sid, /^VA[0-9a-f]{32}$/);
    assert.equal(service.codeLength, 7);
    assert.ok(service.dateCreated instanceof Date);

    const to = '+15017122661';
    const verification = await client.verify.v2
      .services(service.sid)
      .verifications.create({ to, channel: 'sms' });
    assert.equal(verification.status, 'pending');
    assert.equal(verification.sendCodeAttempts.length, 1);
    const resent = await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' });
    assert.equal(resent.sid, verification.sid);
    assert.equal(resent.sendCodeAttempts.length, 2);

    const fetched = await client.verify.v2.services(service.sid).verifications(to).fetch();
    assert.equal(fetched.sid, verification.sid);

    const code = h.channels.lastCode(to);
    assert.match(code, /^\d{7}$/);
    const wrong = await client.verify.v2
      .services(service.sid)
      .verificationChecks.create({ to, code: code === '0000000' ? '1111111' : '0000000' });
    assert.equal(wrong.status, 'pending');
    assert.equal(wrong.valid, false);
    const right = await client.verify.v2.services(service.sid).verificationChecks.create({ to, code });
    assert.equal(right.status, 'approved');
    assert.equal(right.valid, true);

    await assert.rejects(client.verify.v2.services(service.sid).verifications(verification.sid).fetch(), {
      status: 404,
      code: 20404,
    });

    const limit = await client.verify.v2.services(service.sid).rateLimits.create({ uniqueName: 'ip' });
    await client.verify.v2
      .services(service.sid)
      .rateLimits(limit.sid)
      .buckets.create({ max: 1, interval: 60 });
    await client.verify.v2
      .services(service.sid)
      .verifications.create({ to: '+15017122662', channel: 'sms', rateLimits: { ip: '10.0.0.1' } });
    await assert.rejects(
      client.verify.v2
        .services(service.sid)
        .verifications.create({ to: '+15017122663', channel: 'sms', rateLimits: { ip: '10.0.0.1' } }),
      { status: 429, code: 20429 },
    );

    const listed = await client.verify.v2.services.list({ pageSize: 1 });
    assert.deepEqual(
      listed.map((s) => s.sid),
      [service.sid],
    );
    await client.verify.v2.services(service.sid).remove();
    await assert.rejects(client.verify.v2.services(service.sid).fetch(), { status: 404 });
  });
});
