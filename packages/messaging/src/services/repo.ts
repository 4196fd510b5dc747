import type { Store } from '@twilio-lab/backends';
import type { ServiceRow } from '../messages/schema.js';

export interface PoolNumber {
  sid: string;
  phone_number: string;
}

export function findService(store: Store, accountSid: string, sid: string): Promise<ServiceRow | undefined> {
  return store.get<ServiceRow>('SELECT * FROM messaging_services WHERE sid = ? AND account_sid = ?', [
    sid,
    accountSid,
  ]);
}

/** The service's sender pool in the order numbers were added (round robin walks this order). */
export function servicePool(store: Store, serviceSid: string): Promise<PoolNumber[]> {
  return store.all<PoolNumber>(
    `SELECT n.sid AS sid, n.phone_number AS phone_number
       FROM messaging_service_numbers m JOIN incoming_phone_numbers n ON n.sid = m.phone_number_sid
      WHERE m.service_sid = ?
      ORDER BY m.date_created, m.phone_number_sid`,
    [serviceSid],
  );
}

/** The service a number belongs to, if any (a number is in at most one service). */
export function serviceOfNumber(store: Store, phoneNumberSid: string): Promise<ServiceRow | undefined> {
  return store.get<ServiceRow>(
    `SELECT s.* FROM messaging_service_numbers m JOIN messaging_services s ON s.sid = m.service_sid
      WHERE m.phone_number_sid = ?`,
    [phoneNumberSid],
  );
}
