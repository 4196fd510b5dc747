import type { Store } from '@twilio-lab/backends';
import type { NumberRow } from './schema.js';

/** The account's IncomingPhoneNumber for an E.164 number, if it owns one. */
export function findNumber(store: Store, accountSid: string, e164: string): Promise<NumberRow | undefined> {
  return store.get<NumberRow>(
    'SELECT * FROM incoming_phone_numbers WHERE phone_number = ? AND account_sid = ?',
    [e164, accountSid],
  );
}

/** Whoever owns the number in this cell (inbound traffic is addressed by number only). */
export function findNumberByE164(store: Store, e164: string): Promise<NumberRow | undefined> {
  return store.get<NumberRow>('SELECT * FROM incoming_phone_numbers WHERE phone_number = ?', [e164]);
}

export function findNumberBySid(
  store: Store,
  accountSid: string,
  sid: string,
): Promise<NumberRow | undefined> {
  return store.get<NumberRow>('SELECT * FROM incoming_phone_numbers WHERE sid = ? AND account_sid = ?', [
    sid,
    accountSid,
  ]);
}
