import type { Migration } from '@twilio-lab/backends';

/** One row of incoming_phone_numbers (times are epoch ms). */
export interface NumberRow {
  sid: string;
  account_sid: string;
  phone_number: string;
  friendly_name: string;
  sms_url: string;
  sms_method: string;
  sms_fallback_url: string;
  sms_fallback_method: string;
  status_callback: string;
  status_callback_method: string;
  voice_url: string;
  voice_method: string;
  voice_fallback_url: string;
  voice_fallback_method: string;
  voice_caller_id_lookup: number;
  date_created: number;
  date_updated: number;
}

export const numbersMigrations: readonly Migration[] = [
  {
    id: 'numbers-001-incoming-phone-numbers',
    sql: `
      CREATE TABLE incoming_phone_numbers (
        sid TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL,
        phone_number TEXT NOT NULL UNIQUE,
        friendly_name TEXT NOT NULL,
        sms_url TEXT NOT NULL DEFAULT '',
        sms_method TEXT NOT NULL DEFAULT 'POST',
        sms_fallback_url TEXT NOT NULL DEFAULT '',
        sms_fallback_method TEXT NOT NULL DEFAULT 'POST',
        status_callback TEXT NOT NULL DEFAULT '',
        status_callback_method TEXT NOT NULL DEFAULT 'POST',
        voice_url TEXT NOT NULL DEFAULT '',
        voice_method TEXT NOT NULL DEFAULT 'POST',
        voice_fallback_url TEXT NOT NULL DEFAULT '',
        voice_fallback_method TEXT NOT NULL DEFAULT 'POST',
        voice_caller_id_lookup INTEGER NOT NULL DEFAULT 0,
        date_created INTEGER NOT NULL,
        date_updated INTEGER NOT NULL
      );
      CREATE INDEX incoming_phone_numbers_by_account ON incoming_phone_numbers (account_sid, date_created, sid);
    `,
  },
];

/**
 * Form parameter → column for the settable text fields (create and update share it).
 * Methods are validated separately (they must be GET or POST).
 */
export const NUMBER_URL_FIELDS: readonly (readonly [param: string, column: keyof NumberRow])[] = [
  ['SmsUrl', 'sms_url'],
  ['SmsFallbackUrl', 'sms_fallback_url'],
  ['StatusCallback', 'status_callback'],
  ['VoiceUrl', 'voice_url'],
  ['VoiceFallbackUrl', 'voice_fallback_url'],
];

export const NUMBER_METHOD_FIELDS: readonly (readonly [param: string, column: keyof NumberRow])[] = [
  ['SmsMethod', 'sms_method'],
  ['SmsFallbackMethod', 'sms_fallback_method'],
  ['StatusCallbackMethod', 'status_callback_method'],
  ['VoiceMethod', 'voice_method'],
  ['VoiceFallbackMethod', 'voice_fallback_method'],
];
