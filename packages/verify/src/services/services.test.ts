import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startVerifyHarness } from '../testing/harness.js';
import type { VerifyHarness } from '../testing/harness.js';

describe('Verify services', () => {
  let h: VerifyHarness;
  beforeEach(async () => {
    h = await startVerifyHarness();
  });
  afterEach(() => h.close());

  it('creates with defaults and echoes every field with the spec types', async () => {
    const res = await h.call('POST', '/v2/Services', { FriendlyName: 'Acme' });
    assert.equal(res.status, 201);
    const s = res.json;
    assert.match(s.sid as string, /^VA[0-9a-f]{32}$/);
    assert.equal(s.account_sid, h.account.sid);
    assert.equal(s.friendly_name, 'Acme');
    assert.equal(s.code_length, 6);
    for (const flag of [
      'lookup_enabled',
      'psd2_enabled',
      'skip_sms_to_landlines',
      'dtmf_input_required',
      'do_not_share_warning_enabled',
      'custom_code_enabled',
      'verify_event_subscription_enabled',
    ]) {
      assert.equal(s[flag], false, flag);
    }
    assert.equal(s.tts_name, null);
    assert.equal(s.default_template_sid, null);
    assert.deepEqual(s.push, { include_date: false, apn_credential_sid: null, fcm_credential_sid: null });
    assert.deepEqual(s.totp, { issuer: 'Acme', time_step: 30, code_length: 6, skew: 1 });
    assert.deepEqual(s.whatsapp, { msg_service_sid: null, from: null });
    assert.equal(typeof s.passkeys, 'object');
    assert.match(s.date_created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const url = `http://127.0.0.1:3000/verify/v2/Services/${s.sid as string}`;
    assert.equal(s.url, url);
    assert.deepEqual(s.links, {
      verification_checks: `${url}/VerificationCheck`,
      verifications: `${url}/Verifications`,
      rate_limits: `${url}/RateLimits`,
      messaging_configurations: `${url}/MessagingConfigurations`,
      entities: `${url}/Entities`,
      webhooks: `${url}/Webhooks`,
      access_tokens: `${url}/AccessTokens`,
    });
  });

  it('takes every setting on create and update', async () => {
    const created = await h.call('POST', '/v2/Services', {
      FriendlyName: 'Bank',
      CodeLength: '8',
      LookupEnabled: 'true',
      SkipSmsToLandlines: 'true',
      Psd2Enabled: 'true',
      DoNotShareWarningEnabled: 'true',
      CustomCodeEnabled: 'true',
      DtmfInputRequired: 'true',
      TtsName: 'Polly.Joanna',
      DefaultTemplateSid: `HJ${'a'.repeat(32)}`,
      'Totp.Issuer': 'BankCo',
      'Totp.Skew': '2',
      'Passkeys.RelyingParty.Origins': 'a.example.com, b.example.com',
    });
    assert.equal(created.status, 201);
    const s = created.json;
    assert.equal(s.code_length, 8);
    assert.equal(s.lookup_enabled, true);
    assert.equal(s.skip_sms_to_landlines, true);
    assert.equal(s.psd2_enabled, true);
    assert.equal(s.do_not_share_warning_enabled, true);
    assert.equal(s.custom_code_enabled, true);
    assert.equal(s.dtmf_input_required, true);
    assert.equal(s.tts_name, 'Polly.Joanna');
    assert.equal(s.default_template_sid, `HJ${'a'.repeat(32)}`);
    assert.deepEqual(s.totp, { issuer: 'BankCo', time_step: 30, code_length: 6, skew: 2 });
    assert.deepEqual((s.passkeys as { relying_party: { origins: string[] } }).relying_party.origins, [
      'a.example.com',
      'b.example.com',
    ]);

    const updated = await h.call('POST', `/v2/Services/${s.sid as string}`, {
      FriendlyName: 'Bank 2',
      CodeLength: '4',
      Psd2Enabled: 'false',
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.json.friendly_name, 'Bank 2');
    assert.equal(updated.json.code_length, 4);
    assert.equal(updated.json.psd2_enabled, false);
    assert.equal(updated.json.lookup_enabled, true, 'untouched settings stay');
    assert.deepEqual(updated.json.totp, s.totp);
    const fetched = await h.call('GET', `/v2/Services/${s.sid as string}`);
    assert.deepEqual(fetched.json, updated.json);
  });

  it('validates: FriendlyName required, CodeLength 4..10, booleans, template SID', async () => {
    const missing = await h.call('POST', '/v2/Services', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 20001);
    for (const CodeLength of ['3', '11', 'six']) {
      const res = await h.call('POST', '/v2/Services', { FriendlyName: 'x', CodeLength });
      assert.equal(res.status, 400, CodeLength);
      assert.equal(res.json.code, 60200);
    }
    assert.equal(
      (await h.call('POST', '/v2/Services', { FriendlyName: 'x', LookupEnabled: 'yes' })).json.code,
      60200,
    );
    assert.equal((await h.call('POST', '/v2/Services', { FriendlyName: 'x'.repeat(33) })).json.code, 60200);
    assert.equal(
      (await h.call('POST', '/v2/Services', { FriendlyName: 'x', DefaultTemplateSid: 'nope' })).json.code,
      60200,
    );
  });

  it('deletes (204, then 404) and scopes services to their account', async () => {
    const sid = await h.service();
    assert.equal((await h.call('GET', `/v2/Services/${sid}`, {}, h.other.sid)).status, 404);
    assert.equal((await h.call('DELETE', `/v2/Services/${sid}`, {}, h.other.sid)).status, 404);
    const deleted = await h.call('DELETE', `/v2/Services/${sid}`);
    assert.equal(deleted.status, 204);
    const gone = await h.call('GET', `/v2/Services/${sid}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.code, 20404);
  });

  it('lists with the v1 envelope and pages with PageToken', async () => {
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) {
      sids.push(await h.service({ FriendlyName: `svc${i}` }));
      h.clock.offset += 1000;
    }
    await h.call('POST', '/v2/Services', { FriendlyName: 'not mine' }, h.other.sid);
    const seen: string[] = [];
    let res = await h.call('GET', '/v2/Services?PageSize=2');
    assert.equal(res.status, 200);
    const meta = res.json.meta as Record<string, unknown>;
    assert.equal(meta.key, 'services');
    assert.equal(meta.page_size, 2);
    assert.equal(meta.previous_page_url, null);
    assert.match(meta.first_page_url as string, /^http:\/\/127\.0\.0\.1:3000\/verify\/v2\/Services\?/);
    for (;;) {
      seen.push(...(res.json.services as { sid: string }[]).map((s) => s.sid));
      const next = (res.json.meta as { next_page_url: string | null }).next_page_url;
      if (next === null) break;
      const url = new URL(next);
      assert.equal(url.pathname, '/verify/v2/Services');
      res = await h.call('GET', `/v2/Services${url.search}`);
      assert.equal(res.status, 200);
    }
    assert.deepEqual(seen, sids);
  });
});
