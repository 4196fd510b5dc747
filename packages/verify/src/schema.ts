import type { Migration } from '@twilio-lab/backends';

/** Durable Verify resources. Verifications themselves are short-lived and live in the Cache. */
export const VERIFY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'verify-001-services',
    sql: `CREATE TABLE IF NOT EXISTS verify_services (
  sid TEXT PRIMARY KEY,
  account_sid TEXT NOT NULL,
  friendly_name TEXT NOT NULL,
  code_length INTEGER NOT NULL,
  lookup_enabled INTEGER NOT NULL,
  skip_sms_to_landlines INTEGER NOT NULL,
  psd2_enabled INTEGER NOT NULL,
  dtmf_input_required INTEGER NOT NULL,
  tts_name TEXT,
  do_not_share_warning_enabled INTEGER NOT NULL,
  custom_code_enabled INTEGER NOT NULL,
  default_template_sid TEXT,
  verify_event_subscription_enabled INTEGER NOT NULL,
  settings TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS verify_services_by_account ON verify_services (account_sid, date_created, sid);`,
  },
  {
    id: 'verify-002-rate-limits',
    sql: `CREATE TABLE IF NOT EXISTS verify_rate_limits (
  sid TEXT PRIMARY KEY,
  service_sid TEXT NOT NULL,
  account_sid TEXT NOT NULL,
  unique_name TEXT NOT NULL,
  description TEXT,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL,
  UNIQUE (service_sid, unique_name)
);
CREATE TABLE IF NOT EXISTS verify_rate_limit_buckets (
  sid TEXT PRIMARY KEY,
  rate_limit_sid TEXT NOT NULL,
  service_sid TEXT NOT NULL,
  account_sid TEXT NOT NULL,
  max_requests INTEGER NOT NULL,
  interval_seconds INTEGER NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS verify_buckets_by_rate_limit ON verify_rate_limit_buckets (rate_limit_sid, date_created, sid);`,
  },
];

/** Booleans are stored as 0/1 INTEGERs (portable across SQLite and PostgreSQL). */
export interface ServiceRow {
  sid: string;
  account_sid: string;
  friendly_name: string;
  code_length: number;
  lookup_enabled: number;
  skip_sms_to_landlines: number;
  psd2_enabled: number;
  dtmf_input_required: number;
  tts_name: string | null;
  do_not_share_warning_enabled: number;
  custom_code_enabled: number;
  default_template_sid: string | null;
  verify_event_subscription_enabled: number;
  /** JSON: the nested push / totp / whatsapp / passkeys objects, echoed back as given. */
  settings: string;
  date_created: number;
  date_updated: number;
}

export interface RateLimitRow {
  sid: string;
  service_sid: string;
  account_sid: string;
  unique_name: string;
  description: string | null;
  date_created: number;
  date_updated: number;
}

export interface BucketRow {
  sid: string;
  rate_limit_sid: string;
  service_sid: string;
  account_sid: string;
  max_requests: number;
  interval_seconds: number;
  date_created: number;
  date_updated: number;
}
