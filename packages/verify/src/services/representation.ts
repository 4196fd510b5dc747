import { iso8601 } from '@twilio-lab/core';
import type { ServiceRow } from '../schema.js';

export const VERIFY_PREFIX = '/verify';

/** Nested settings the lab stores and echoes but does not act on (push, TOTP, WhatsApp, passkeys). */
export interface ServiceSettings {
  push: { include_date: boolean; apn_credential_sid: string | null; fcm_credential_sid: string | null };
  totp: { issuer: string | null; time_step: number; code_length: number; skew: number };
  whatsapp: { msg_service_sid: string | null; from: string | null };
  passkeys: {
    relying_party: { id: string | null; name: string | null; origins: string[] };
    authenticator_attachment: string | null;
    discoverable_credentials: string | null;
    user_verification: string | null;
  };
}

export function defaultSettings(): ServiceSettings {
  return {
    push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
    totp: { issuer: null, time_step: 30, code_length: 6, skew: 1 },
    whatsapp: { msg_service_sid: null, from: null },
    passkeys: {
      relying_party: { id: null, name: null, origins: [] },
      authenticator_attachment: null,
      discoverable_credentials: null,
      user_verification: null,
    },
  };
}

const SERVICE_LINKS = [
  ['verification_checks', 'VerificationCheck'],
  ['verifications', 'Verifications'],
  ['rate_limits', 'RateLimits'],
  ['messaging_configurations', 'MessagingConfigurations'],
  ['entities', 'Entities'],
  ['webhooks', 'Webhooks'],
  ['access_tokens', 'AccessTokens'],
] as const;

export function serviceUrl(origin: string, sid: string): string {
  return `${origin}${VERIFY_PREFIX}/v2/Services/${sid}`;
}

/** verify.v2.service: booleans as booleans, code_length an integer, ISO dates, absolute url and links. */
export function serviceJson(row: ServiceRow, origin: string): Record<string, unknown> {
  const settings = JSON.parse(row.settings) as ServiceSettings;
  const url = serviceUrl(origin, row.sid);
  const links: Record<string, string> = {};
  for (const [key, suffix] of SERVICE_LINKS) links[key] = `${url}/${suffix}`;
  return {
    sid: row.sid,
    account_sid: row.account_sid,
    friendly_name: row.friendly_name,
    code_length: Number(row.code_length),
    lookup_enabled: Number(row.lookup_enabled) === 1,
    psd2_enabled: Number(row.psd2_enabled) === 1,
    skip_sms_to_landlines: Number(row.skip_sms_to_landlines) === 1,
    dtmf_input_required: Number(row.dtmf_input_required) === 1,
    tts_name: row.tts_name,
    do_not_share_warning_enabled: Number(row.do_not_share_warning_enabled) === 1,
    custom_code_enabled: Number(row.custom_code_enabled) === 1,
    push: settings.push,
    // Twilio names the TOTP issuer after the service unless one was set.
    totp: { ...settings.totp, issuer: settings.totp.issuer ?? row.friendly_name },
    default_template_sid: row.default_template_sid,
    whatsapp: settings.whatsapp,
    passkeys: settings.passkeys,
    verify_event_subscription_enabled: Number(row.verify_event_subscription_enabled) === 1,
    date_created: iso8601(Number(row.date_created)),
    date_updated: iso8601(Number(row.date_updated)),
    url,
    links,
  };
}
