import type { Store } from '@twilio-lab/backends';
import type { ServiceRow } from '../schema.js';

export function findService(store: Store, accountSid: string, sid: string): Promise<ServiceRow | undefined> {
  return store.get<ServiceRow>('SELECT * FROM verify_services WHERE sid = ? AND account_sid = ?', [
    sid,
    accountSid,
  ]);
}
