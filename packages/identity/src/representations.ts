import { rfc2822 } from '@twilio-lab/core';
import type { Account, ApiKey } from './types.js';

const ACCOUNTS_PATH = '/2010-04-01/Accounts';

/** The 2010 API Account resource. Numbers-as-strings do not apply here: every field is text. */
export function accountJson(account: Account): Record<string, unknown> {
  const base = `${ACCOUNTS_PATH}/${account.sid}`;
  return {
    auth_token: account.authToken,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateUpdated),
    friendly_name: account.friendlyName,
    owner_account_sid: account.ownerAccountSid,
    sid: account.sid,
    status: account.status,
    subresource_uris: {
      calls: `${base}/Calls.json`,
      conferences: `${base}/Conferences.json`,
      incoming_phone_numbers: `${base}/IncomingPhoneNumbers.json`,
      keys: `${base}/Keys.json`,
      messages: `${base}/Messages.json`,
      recordings: `${base}/Recordings.json`,
    },
    type: account.type,
    uri: `${base}.json`,
  };
}

/** The 2010 API Key resource; `secret` only in the creation response (it is never stored). */
export function keyJson(key: ApiKey): Record<string, unknown> {
  const json: Record<string, unknown> = {
    sid: key.sid,
    friendly_name: key.friendlyName,
    date_created: rfc2822(key.dateCreated),
    date_updated: rfc2822(key.dateUpdated),
  };
  if (key.secret !== undefined) json.secret = key.secret;
  return json;
}
