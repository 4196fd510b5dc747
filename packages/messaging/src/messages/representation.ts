import { rfc2822 } from '@twilio-lab/core';
import type { CellResponse } from '@twilio-lab/core';
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

// The message resource is the hot response (every POST Messages.json answers with it), so it
// is written by hand in messageJson's key order instead of building an object for
// JSON.stringify: about a third less CPU per response. messageJsonText(row) must stay
// byte-identical to JSON.stringify(messageJson(row)); representation.test.ts checks that.
/** Characters JSON.stringify would escape (quote, backslash, controls, lone surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : '"' + value + '"';
}

function jsonNullableString(value: string | null): string {
  return value === null ? 'null' : jsonString(value);
}

/** `JSON.stringify(messageJson(row))`, without the intermediate object. */
export function messageJsonText(row: MessageRow): string {
  return (
    '{"account_sid":' +
    jsonString(row.account_sid) +
    ',"api_version":"2010-04-01","body":' +
    jsonString(row.body) +
    ',"date_created":' +
    jsonString(rfc2822(row.date_created)) +
    ',"date_sent":' +
    (row.date_sent === null ? 'null' : jsonString(rfc2822(row.date_sent))) +
    ',"date_updated":' +
    jsonString(rfc2822(row.date_updated)) +
    ',"direction":' +
    jsonString(row.direction) +
    ',"error_code":' +
    // JSON.stringify(number) is 'null' for NaN/Infinity, like the object path.
    (row.error_code === null ? 'null' : JSON.stringify(row.error_code)) +
    ',"error_message":' +
    jsonNullableString(row.error_message) +
    ',"from":' +
    jsonNullableString(row.from_number) +
    ',"messaging_service_sid":' +
    jsonNullableString(row.messaging_service_sid) +
    ',"num_media":' +
    jsonString(String(row.num_media)) +
    ',"num_segments":' +
    jsonString(String(row.num_segments)) +
    ',"price":' +
    jsonNullableString(row.price) +
    ',"price_unit":"USD","sid":' +
    jsonString(row.sid) +
    ',"status":' +
    jsonString(row.status) +
    ',"subresource_uris":{"media":' +
    jsonString(mediaListPath(row.account_sid, row.sid)) +
    '},"to":' +
    jsonString(row.to_number) +
    ',"uri":' +
    jsonString(messagePath(row.account_sid, row.sid)) +
    '}'
  );
}

// Shared by every message response (frozen: nothing downstream may change it).
const JSON_HEADERS: Record<string, string> = Object.freeze({ 'content-type': 'application/json' });

/** What jsonResponse(status, messageJson(row)) gives, through messageJsonText. */
export function messageResponse(status: number, row: MessageRow): CellResponse {
  return { status, headers: JSON_HEADERS, body: messageJsonText(row) };
}
