import { rfc2822 } from '@twilio-lab/core';
import type { NumberRow } from './schema.js';

const TOLL_FREE_AREA_CODES = new Set(['800', '833', '844', '855', '866', '877', '888']);

export function isTollFree(e164: string): boolean {
  return e164.startsWith('+1') && TOLL_FREE_AREA_CODES.has(e164.slice(2, 5));
}

/** Twilio's default friendly name: the national format for NANP numbers, else the E.164 text. */
export function defaultFriendlyName(e164: string): string {
  if (e164.startsWith('+1') && e164.length === 12) {
    return `(${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
  }
  return e164;
}

export function numberPath(accountSid: string, sid: string): string {
  return `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`;
}

/** The 2010 API representation (api.v2010.account.incoming_phone_number). */
export function numberJson(row: NumberRow): Record<string, unknown> {
  return {
    account_sid: row.account_sid,
    address_requirements: 'none',
    address_sid: null,
    api_version: '2010-04-01',
    beta: false,
    bundle_sid: null,
    capabilities: { fax: false, mms: true, sms: true, voice: true },
    date_created: rfc2822(row.date_created),
    date_updated: rfc2822(row.date_updated),
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    emergency_status: 'Inactive',
    friendly_name: row.friendly_name,
    identity_sid: null,
    origin: 'twilio',
    phone_number: row.phone_number,
    sid: row.sid,
    sms_application_sid: '',
    sms_fallback_method: row.sms_fallback_method,
    sms_fallback_url: row.sms_fallback_url,
    sms_method: row.sms_method,
    sms_url: row.sms_url,
    status: 'in-use',
    status_callback: row.status_callback,
    status_callback_method: row.status_callback_method,
    subresource_uris: {
      assigned_add_ons: `/2010-04-01/Accounts/${row.account_sid}/IncomingPhoneNumbers/${row.sid}/AssignedAddOns.json`,
    },
    trunk_sid: null,
    type: isTollFree(row.phone_number) ? 'tollfree' : 'local',
    uri: numberPath(row.account_sid, row.sid),
    voice_application_sid: '',
    voice_caller_id_lookup: row.voice_caller_id_lookup === 1,
    voice_fallback_method: row.voice_fallback_method,
    voice_fallback_url: row.voice_fallback_url,
    voice_method: row.voice_method,
    voice_receive_mode: 'voice',
    voice_url: row.voice_url,
  };
}
