/** Flag values that need more than oclif's parsers: each bad value is a usage error (exit 2). */
import type { LabOptions } from '@twilio-lab/lab';
import { CliError } from './errors.js';

const E164 = /^\+[1-9]\d{6,14}$/;

export function requireE164(name: string, value: string): string {
  if (!E164.test(value)) {
    throw new CliError('INVALID_FLAG', `${name} must be an E.164 number like +14155552671, got "${value}".`);
  }
  return value;
}

/** `--since`: epoch milliseconds or an ISO 8601 date. */
export function parseSince(value: string): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  if (trimmed === '' || Number.isNaN(parsed)) {
    throw new CliError(
      'INVALID_FLAG',
      `--since must be epoch milliseconds or an ISO date (2024-05-01T12:00:00Z), got "${value}".`,
    );
  }
  return parsed;
}

export interface UpFlags {
  port: number;
  host: string;
  'data-dir': string;
  ephemeral: boolean;
  backend?: 'embedded' | 'real' | undefined;
  namespace?: string | undefined;
  'account-sid'?: string | undefined;
  'auth-token'?: string | undefined;
  'admin-token'?: string | undefined;
  profile: 'lab' | 'realistic';
  carriers?: string | undefined;
  'rate-limit'?: number | undefined;
  log: 'silent' | 'info' | 'debug';
}

/** `up` flags → LabOptions. The burst is twice the rate: enough for a client's opening volley. */
export function labOptionsFromFlags(flags: UpFlags): LabOptions {
  const accountSid = flags['account-sid'];
  if (accountSid !== undefined && !/^AC[0-9a-f]{32}$/.test(accountSid)) {
    throw new CliError(
      'INVALID_FLAG',
      `--account-sid (or TWILIO_ACCOUNT_SID) must be AC followed by 32 lower-case hex digits, got "${accountSid}".`,
    );
  }
  const options: LabOptions = {
    port: flags.port,
    host: flags.host,
    dataDir: flags['data-dir'],
    ephemeral: flags.ephemeral,
    profile: flags.profile,
    log: flags.log,
  };
  if (flags.backend === 'real') {
    options.backend = 'real';
    if (!/^[a-z][a-z0-9_]{0,40}$/.test(flags.namespace ?? 'lab')) {
      throw new CliError(
        'INVALID_FLAG',
        `--namespace must be lower-case letters, digits and _ (it names PostgreSQL schemas), got "${flags.namespace}".`,
      );
    }
    options.namespace = flags.namespace ?? 'lab';
  }
  const handicap = Number(process.env.TWILIO_LAB_HANDICAP_US ?? '0');
  if (Number.isFinite(handicap) && handicap > 0) options.handicapMicros = handicap;
  if (accountSid !== undefined) options.accountSid = accountSid;
  if (flags['auth-token'] !== undefined) options.authToken = flags['auth-token'];
  if (flags['admin-token'] !== undefined) options.adminToken = flags['admin-token'];
  if (flags.carriers !== undefined) options.carriersFile = flags.carriers;
  const rate = flags['rate-limit'];
  if (rate !== undefined) options.rateLimit = { ratePerSec: rate, burst: rate * 2 };
  return options;
}
