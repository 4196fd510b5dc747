import type { Queue } from '@twilio-lab/backends';
import type { Store } from '@twilio-lab/backends';
import type { MessageRow } from '../messages/schema.js';

/** Topic of messages waiting for the sender; keyed by account so one account's sends stay in order. */
export const OUTBOUND_TOPIC = 'messages.outbound';
export const SENDER_GROUP = 'sender';

/** What travels on the topic: a pointer, the store holds the message itself. */
export interface OutboundEvent {
  sid: string;
  accountSid: string;
}

export function publishOutbound(
  queue: Queue,
  rows: readonly Pick<MessageRow, 'sid' | 'account_sid'>[],
): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  return queue.publish(
    OUTBOUND_TOPIC,
    rows.map((row) => ({
      key: row.account_sid,
      value: JSON.stringify({ sid: row.sid, accountSid: row.account_sid } satisfies OutboundEvent),
    })),
  );
}

export function parseOutboundEvent(value: string): OutboundEvent | null {
  try {
    // The parsed object itself is the event (one allocation per event: the parse).
    const parsed = JSON.parse(value) as Partial<OutboundEvent> | null;
    if (typeof parsed?.sid === 'string' && typeof parsed.accountSid === 'string') {
      return parsed as OutboundEvent;
    }
  } catch {
    // fall through: a malformed event is reported by the caller
  }
  return null;
}

/** `SELECT … WHERE sid IN (?, …)` by number of SIDs, built once per size. */
const selectBySids: string[] = [];

function selectMessagesSql(count: number): string {
  let sql = selectBySids[count];
  if (sql === undefined) {
    sql = `SELECT * FROM messages WHERE sid IN (${new Array<string>(count).fill('?').join(', ')})`;
    selectBySids[count] = sql;
  }
  return sql;
}

/** Current rows of the given messages, by SID (missing ones were deleted). */
export async function loadMessages(store: Store, sids: readonly string[]): Promise<Map<string, MessageRow>> {
  const bySid = new Map<string, MessageRow>();
  if (sids.length === 0) return bySid;
  const rows = await store.all<MessageRow>(selectMessagesSql(sids.length), sids);
  for (const row of rows) bySid.set(row.sid, row);
  return bySid;
}
