import { iso8601 } from '@twilio-lab/core';
import { serviceUrl } from '../services/representation.js';
import type { SendAttempt, VerificationRecord } from './state.js';

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired';

/** Attempts name their channel in upper case while the verification itself uses lower case. */
const ATTEMPT_CHANNEL = { sms: 'SMS', call: 'CALL', email: 'EMAIL', whatsapp: 'WHATSAPP' } as const;

/** verify.v2.service.verification. */
export function verificationJson(
  record: VerificationRecord,
  attempts: readonly SendAttempt[],
  status: VerificationStatus,
  origin: string,
): Record<string, unknown> {
  const last = attempts[attempts.length - 1];
  return {
    sid: record.sid,
    service_sid: record.serviceSid,
    account_sid: record.accountSid,
    to: record.to,
    channel: last?.channel ?? record.channel,
    status,
    valid: status === 'approved',
    date_created: iso8601(record.createdAt),
    date_updated: iso8601(last?.time ?? record.createdAt),
    lookup: record.lookup,
    amount: record.amount,
    payee: record.payee,
    send_code_attempts: attempts.map((a) => ({
      time: iso8601(a.time),
      channel: ATTEMPT_CHANNEL[a.channel],
      attempt_sid: a.attemptSid,
    })),
    sna: null,
    url: `${serviceUrl(origin, record.serviceSid)}/Verifications/${record.sid}`,
  };
}

/** verify.v2.service.verification_check: no url, lookup or attempts. */
export function verificationCheckJson(
  record: VerificationRecord,
  status: VerificationStatus,
  updatedAt: number,
): Record<string, unknown> {
  return {
    sid: record.sid,
    service_sid: record.serviceSid,
    account_sid: record.accountSid,
    to: record.to,
    channel: record.channel,
    status,
    valid: status === 'approved',
    amount: record.amount,
    payee: record.payee,
    sna_attempts_error_codes: [],
    date_created: iso8601(record.createdAt),
    date_updated: iso8601(updatedAt),
  };
}
