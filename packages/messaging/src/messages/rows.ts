import { newSid } from '@twilio-lab/core';
import type { SqlValue, WriteOp } from '@twilio-lab/backends';
import { guessContentType } from './media-type.js';
import type { MediaRow, MessageDirection, MessageRow, MessageStatus } from './schema.js';

const MESSAGE_COLUMNS = [
  'sid',
  'account_sid',
  'direction',
  'status',
  'from_number',
  'to_number',
  'body',
  'num_segments',
  'encoding',
  'num_media',
  'media_urls',
  'messaging_service_sid',
  'status_callback',
  'validity_period',
  'send_at',
  'error_code',
  'error_message',
  'price',
  'date_created',
  'date_updated',
  'date_sent',
] as const satisfies readonly (keyof MessageRow)[];

const INSERT_MESSAGE = `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')})`;
const INSERT_MEDIA =
  'INSERT INTO message_media (sid, account_sid, message_sid, content_type, url, date_created, date_updated) VALUES (?, ?, ?, ?, ?, ?, ?)';

export interface NewMessage {
  accountSid: string;
  direction: MessageDirection;
  status: MessageStatus;
  from: string | null;
  to: string;
  body: string;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  mediaUrls: readonly string[];
  messagingServiceSid: string | null;
  statusCallback: string | null;
  validityPeriod: number | null;
  sendAt: number | null;
  dateSent: number | null;
  now: number;
}

/** The message row and its media rows; the SID is MM when the message carries media. */
export function buildMessage(m: NewMessage): { message: MessageRow; media: MediaRow[] } {
  const sid = newSid(m.mediaUrls.length > 0 ? 'MM' : 'SM');
  const message: MessageRow = {
    sid,
    account_sid: m.accountSid,
    direction: m.direction,
    status: m.status,
    from_number: m.from,
    to_number: m.to,
    body: m.body,
    num_segments: m.segments,
    encoding: m.encoding,
    num_media: m.mediaUrls.length,
    media_urls: JSON.stringify(m.mediaUrls),
    messaging_service_sid: m.messagingServiceSid,
    status_callback: m.statusCallback,
    validity_period: m.validityPeriod,
    send_at: m.sendAt,
    error_code: null,
    error_message: null,
    price: null,
    date_created: m.now,
    date_updated: m.now,
    date_sent: m.dateSent,
  };
  // Media list in MediaUrl order: pages sort by (date_created, sid), so each item is 1 ms later.
  const media = m.mediaUrls.map((url, i): MediaRow => ({
    sid: newSid('ME'),
    account_sid: m.accountSid,
    message_sid: sid,
    content_type: guessContentType(url),
    url,
    date_created: m.now + i,
    date_updated: m.now + i,
  }));
  return { message, media };
}

export function insertOps(message: MessageRow, media: readonly MediaRow[]): WriteOp[] {
  const ops: WriteOp[] = [{ sql: INSERT_MESSAGE, params: MESSAGE_COLUMNS.map((c): SqlValue => message[c]) }];
  for (const m of media) {
    ops.push({
      sql: INSERT_MEDIA,
      params: [m.sid, m.account_sid, m.message_sid, m.content_type, m.url, m.date_created, m.date_updated],
    });
  }
  return ops;
}

export function mediaUrlsOf(row: MessageRow): string[] {
  // Most messages are plain SMS: skip the parse of '[]'.
  if (row.num_media === 0) return [];
  return JSON.parse(row.media_urls) as string[];
}
