import { countryOf, iso8601 } from '@twilio-lab/core';
import type { ServiceRow } from '../messages/schema.js';

export const MESSAGING_PREFIX = '/messaging';

/** Settings stored and echoed back but not acted on by the lab. */
export interface ServiceSettings {
  mms_converter: boolean;
  smart_encoding: boolean;
  scan_message_content: 'inherit' | 'enable' | 'disable';
  fallback_to_long_code: boolean;
  area_code_geomatch: boolean;
  synchronous_validation: boolean;
  usecase: string;
}

export const DEFAULT_SETTINGS: ServiceSettings = {
  mms_converter: true,
  smart_encoding: false,
  scan_message_content: 'inherit',
  fallback_to_long_code: true,
  area_code_geomatch: true,
  synchronous_validation: false,
  usecase: 'undeclared',
};

const SERVICE_LINKS = [
  ['phone_numbers', 'PhoneNumbers'],
  ['short_codes', 'ShortCodes'],
  ['alpha_senders', 'AlphaSenders'],
  ['messages', 'Messages'],
  ['us_app_to_person', 'Compliance/Usa2p'],
  ['us_app_to_person_usecases', 'Compliance/Usa2p/Usecases'],
  ['channel_senders', 'ChannelSenders'],
  ['destination_alpha_senders', 'DestinationAlphaSenders'],
] as const;

export function serviceUrl(origin: string, sid: string): string {
  return `${origin}${MESSAGING_PREFIX}/v1/Services/${sid}`;
}

/** The v1 representation (messaging.v1.service): ISO dates, absolute url and links. */
export function serviceJson(row: ServiceRow, origin: string): Record<string, unknown> {
  const settings = { ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings) as Partial<ServiceSettings>) };
  const url = serviceUrl(origin, row.sid);
  const links: Record<string, string> = {};
  for (const [key, suffix] of SERVICE_LINKS) links[key] = `${url}/${suffix}`;
  return {
    account_sid: row.account_sid,
    area_code_geomatch: settings.area_code_geomatch,
    date_created: iso8601(row.date_created),
    date_updated: iso8601(row.date_updated),
    fallback_method: row.fallback_method,
    fallback_to_long_code: settings.fallback_to_long_code,
    fallback_url: row.fallback_url,
    friendly_name: row.friendly_name,
    inbound_method: row.inbound_method,
    inbound_request_url: row.inbound_request_url,
    links,
    mms_converter: settings.mms_converter,
    scan_message_content: settings.scan_message_content,
    sid: row.sid,
    smart_encoding: settings.smart_encoding,
    status_callback: row.status_callback,
    sticky_sender: row.sticky_sender === 1,
    synchronous_validation: settings.synchronous_validation,
    url,
    us_app_to_person_registered: false,
    use_inbound_webhook_on_number: row.use_inbound_webhook_on_number === 1,
    usecase: settings.usecase,
    validity_period: row.validity_period,
  };
}

export interface PoolMemberRow {
  sid: string;
  service_sid: string;
  account_sid: string;
  phone_number: string;
  date_created: number;
  date_updated: number;
}

/** messaging.v1.service.phone_number: its sid is the PN sid of the IncomingPhoneNumber. */
export function poolMemberJson(row: PoolMemberRow, origin: string): Record<string, unknown> {
  return {
    account_sid: row.account_sid,
    capabilities: ['MMS', 'SMS', 'Voice'],
    country_code: countryOf(row.phone_number) ?? null,
    date_created: iso8601(row.date_created),
    date_updated: iso8601(row.date_updated),
    phone_number: row.phone_number,
    service_sid: row.service_sid,
    sid: row.sid,
    url: `${serviceUrl(origin, row.service_sid)}/PhoneNumbers/${row.sid}`,
  };
}
