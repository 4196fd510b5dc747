import type { Migration } from '@twilio-lab/backends';

/**
 * The global tier's tables. Times are epoch milliseconds (INTEGER), as the portable-SQL rule
 * of the backends package asks. API key secrets are never stored: only a salt and the
 * SHA-256 of salt + secret.
 */
export const identityMigrations: Migration[] = [
  {
    id: 'identity-001-accounts',
    sql: `CREATE TABLE IF NOT EXISTS accounts (
  sid TEXT PRIMARY KEY,
  auth_token TEXT NOT NULL,
  friendly_name TEXT NOT NULL,
  status TEXT NOT NULL,
  owner_account_sid TEXT NOT NULL,
  type TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
)`,
  },
  {
    id: 'identity-002-api-keys',
    sql: `CREATE TABLE IF NOT EXISTS api_keys (
  sid TEXT PRIMARY KEY,
  account_sid TEXT NOT NULL,
  friendly_name TEXT NOT NULL,
  secret_salt TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  date_created INTEGER NOT NULL,
  date_updated INTEGER NOT NULL
)`,
  },
  {
    id: 'identity-003-api-keys-account-index',
    sql: 'CREATE INDEX IF NOT EXISTS api_keys_account_sid ON api_keys (account_sid)',
  },
  {
    id: 'identity-004-phone-number-directory',
    sql: `CREATE TABLE IF NOT EXISTS phone_number_directory (
  e164 TEXT PRIMARY KEY,
  account_sid TEXT NOT NULL,
  date_created INTEGER NOT NULL
)`,
  },
];
