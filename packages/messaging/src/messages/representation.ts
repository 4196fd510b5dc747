import { rfc2822 } from '@twilio-lab/core';
import type { MediaRow, MessageRow } from './schema.js';

export function messagesPath(accountSid: string): string {
  return `/2010-04-01/Accounts/${accountSid}/Messages.json`;
}

export function messagePath(accountSid: string, sid: string): string {
  return `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
}

export function mediaListPath(accountSid: string, messageSid: string): string {
  return `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json`;
}

/** api.v2010.account.message: RFC 2822 dates, counts and price as strings, relative URIs. */
export function messageJson(row: MessageRow): Record<string, unknown> {
  return {
    account_sid: row.account_sid,
    api_version: '2010-04-01',
    body: row.body,
    date_created: rfc2822(row.date_created),
    date_sent: row.date_sent === null ? null : rfc2822(row.date_sent),
    date_updated: rfc2822(row.date_updated),
    direction: row.direction,
    error_code: row.error_code,
    error_message: row.error_message,
    from: row.from_number,
    messaging_service_sid: row.messaging_service_sid,
    num_media: String(row.num_media),
    num_segments: String(row.num_segments),
    price: row.price,
    price_unit: 'USD',
    sid: row.sid,
    status: row.status,
    subresource_uris: { media: mediaListPath(row.account_sid, row.sid) },
    to: row.to_number,
    uri: messagePath(row.account_sid, row.sid),
  };
}

/** api.v2010.account.message.media. */
export function mediaJson(row: MediaRow): Record<string, unknown> {
  return {
    account_sid: row.account_sid,
    content_type: row.content_type,
    date_created: rfc2822(row.date_created),
    date_updated: rfc2822(row.date_updated),
    parent_sid: row.message_sid,
    sid: row.sid,
    uri: `/2010-04-01/Accounts/${row.account_sid}/Messages/${row.message_sid}/Media/${row.sid}.json`,
  };
}
