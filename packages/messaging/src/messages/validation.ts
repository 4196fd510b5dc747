import { TEST_NUMBERS, isE164, smsSegments, twilioError } from '@twilio-lab/core';
import type { FormParams } from '@twilio-lab/core';
import type { Store } from '@twilio-lab/backends';
import { isOptedOut, ownedNumber } from '../directory/directory.js';
import { findService, servicePool } from '../services/repo.js';
import { isHttpUrl, parseInteger, parseWebhookUrl } from '../util/params.js';
import type { MessageStatus, ServiceRow } from './schema.js';

export const MAX_BODY_CHARS = 1600;
export const MAX_MEDIA = 10;
const MIN_SCHEDULE_AHEAD_MS = 15 * 60 * 1000;
const MAX_SCHEDULE_AHEAD_MS = 35 * 24 * 60 * 60 * 1000;

const TEST_TO: Readonly<Record<string, number>> = TEST_NUMBERS.to;
const TEST_FROM: Readonly<Record<string, number>> = TEST_NUMBERS.from;

/** A create request that passed validation: everything the row needs. */
export interface MessageDraft {
  to: string;
  from: string | null;
  body: string;
  mediaUrls: string[];
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  service: ServiceRow | null;
  status: Extract<MessageStatus, 'queued' | 'accepted' | 'scheduled'>;
  statusCallback: string | null;
  validityPeriod: number | null;
  sendAt: number | null;
}

/** Body length in characters (code points), which is what the 1,600 limit counts. */
function characterCount(body: string): number {
  // UTF-16 length is an upper bound; only count code points when it could matter.
  if (body.length <= MAX_BODY_CHARS) return body.length;
  let count = 0;
  for (let i = 0; i < body.length; i++) {
    const unit = body.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < body.length) i++;
    count++;
  }
  return count;
}

/**
 * Validates a Messages create form in Twilio's order: each failure is the first one Twilio
 * would report, with its error code. The checks that need the store run last.
 */
export async function validateCreate(
  store: Store,
  accountSid: string,
  form: FormParams,
  now: number,
): Promise<MessageDraft> {
  const to = form.get('To');
  if (to === undefined || to === '') throw twilioError(21604);
  if (!isE164(to)) throw twilioError(21211, `The 'To' number ${to} is not a valid phone number.`);

  const from = nonEmpty(form.get('From'));
  const serviceSid = nonEmpty(form.get('MessagingServiceSid'));
  if (from === undefined && serviceSid === undefined) throw twilioError(21603);

  const body = form.get('Body') ?? '';
  const mediaUrls = form.getAll('MediaUrl').filter((url) => url !== '');
  const contentSid = nonEmpty(form.get('ContentSid'));
  if (body === '' && mediaUrls.length === 0 && contentSid === undefined) throw twilioError(21602);
  if (characterCount(body) > MAX_BODY_CHARS) throw twilioError(21617);
  if (mediaUrls.length > MAX_MEDIA) throw twilioError(21623);
  for (const url of mediaUrls) {
    if (!isHttpUrl(url)) throw twilioError(21620, `The media URL ${url} is invalid`);
  }
  if (from !== undefined && !isE164(from)) {
    throw twilioError(21212, `The 'From' number ${from} is not a valid phone number.`);
  }

  // Twilio's magic test numbers answer deterministically, before any ownership check.
  const toCode = TEST_TO[to];
  if (toCode !== undefined) throw twilioError(toCode);
  const fromCode = from === undefined ? undefined : TEST_FROM[from];
  if (fromCode !== undefined) throw twilioError(fromCode);

  let service: ServiceRow | null = null;
  if (serviceSid !== undefined) {
    service = (await findService(store, accountSid, serviceSid)) ?? null;
    if (service === null) throw twilioError(20001, `MessagingServiceSid ${serviceSid} not found`);
  }
  if (from !== undefined) {
    if (from !== TEST_NUMBERS.validFrom && (await ownedNumber(store, accountSid, from)) === undefined) {
      throw twilioError(
        21606,
        `The 'From' number ${from} is not a valid, SMS-capable number owned by the account`,
      );
    }
  } else if (service !== null && (await servicePool(store, service.sid)).length === 0) {
    throw twilioError(21452);
  }

  const senders: string[] = [];
  if (from !== undefined) senders.push(from);
  if (service !== null) senders.push(service.sid);
  if (await isOptedOut(store, accountSid, to, senders)) {
    throw twilioError(21610, `The recipient ${to} has unsubscribed from messages sent by this sender`);
  }

  const sendAt = readSchedule(form, service, now);
  const validityPeriod = parseInteger(form, 'ValidityPeriod', 1, 36000) ?? service?.validity_period ?? null;
  const statusCallback =
    nonEmpty(parseWebhookUrl(form, 'StatusCallback')) ?? service?.status_callback ?? null;
  const { encoding, segments } = smsSegments(body);
  return {
    to,
    from: from ?? null,
    body,
    mediaUrls,
    encoding,
    segments,
    service,
    status: sendAt !== null ? 'scheduled' : from === undefined ? 'accepted' : 'queued',
    statusCallback,
    validityPeriod,
    sendAt,
  };
}

/** SendAt for ScheduleType=fixed (15 minutes to 35 days ahead), else null. */
function readSchedule(form: FormParams, service: ServiceRow | null, now: number): number | null {
  const type = form.get('ScheduleType');
  if (type === undefined || type === '') return null;
  if (type !== 'fixed') throw twilioError(20001, "'ScheduleType' must be 'fixed'");
  if (service === null) throw twilioError(35118);
  const raw = form.get('SendAt');
  const at = raw === undefined ? NaN : Date.parse(raw);
  if (Number.isNaN(at)) throw twilioError(35111, 'SendAt must be an ISO 8601 date-time');
  if (at - now < MIN_SCHEDULE_AHEAD_MS || at - now > MAX_SCHEDULE_AHEAD_MS) {
    throw twilioError(35111, 'SendAt must be between 15 minutes and 35 days in the future');
  }
  return at;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
