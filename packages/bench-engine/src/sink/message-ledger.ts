/**
 * What the sink knows about each message: the statuses its callbacks reported (first time
 * seen, how often, with which idempotency tokens), and, once a load thread says it was
 * accepted, when the 201 came and which status someone waits for. Callbacks can beat the
 * load thread's note to the main thread, so both orders are handled.
 */

/** Statuses after which Twilio sends nothing more for a message. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
]);
/** Terminal statuses that mean the message will never be delivered. */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['undelivered', 'failed', 'canceled']);

export interface StatusSeen {
  firstAtMs: number;
  count: number;
  tokens: Set<string>;
}

export interface Expected {
  acceptedAtMs: number;
  /** The status the load thread waits for (undefined: nobody waits; 'delivered' is measured). */
  awaitStatus: string | undefined;
  measuredStatus: string;
  tags: Readonly<Record<string, string>>;
  onSettled: ((status: string, ok: boolean) => void) | undefined;
  settled: boolean;
}

export interface MessageRecord {
  statuses: Map<string, StatusSeen>;
  lastStatus: string | undefined;
  expected: Expected | undefined;
}

export interface Reconciliation {
  /** Messages the API accepted (201) during the run. */
  accepted: number;
  /** Accepted messages that reached a terminal status. */
  terminal: number;
  /** Accepted messages without a terminal status when the drain timeout ran out. */
  lost: number;
  /** Callbacks that repeated a status already seen for the message. */
  duplicates: number;
  /** Of those, repeats that carried a different I-Twilio-Idempotency-Token (not a retry). */
  duplicatesWithNewToken: number;
  /** Accepted messages by their last status ('none' when no callback came). */
  byStatus: Record<string, number>;
  /** Callbacks rejected because X-Twilio-Signature did not validate. */
  invalidSignatures: number;
  /** Callbacks for messages no load thread reported as accepted. */
  unexpected: number;
}

export class MessageLedger {
  private readonly messages = new Map<string, MessageRecord>();
  private acceptedCount = 0;
  private terminalCount = 0;
  private duplicates = 0;
  private duplicatesWithNewToken = 0;
  invalidSignatures = 0;

  constructor(
    /** Called once per expected message when its measured status arrives: 201 → status in ms. */
    private readonly onEndToEnd: (ms: number, expected: Expected) => void,
  ) {}

  private record(sid: string): MessageRecord {
    let r = this.messages.get(sid);
    if (r === undefined) {
      r = { statuses: new Map(), lastStatus: undefined, expected: undefined };
      this.messages.set(sid, r);
    }
    return r;
  }

  /** A status callback arrived (signature already checked). */
  status(sid: string, status: string, atMs: number, token: string | undefined): void {
    const r = this.record(sid);
    const seen = r.statuses.get(status);
    if (seen !== undefined) {
      this.duplicates++;
      if (token !== undefined && seen.tokens.size > 0 && !seen.tokens.has(token))
        this.duplicatesWithNewToken++;
      seen.count++;
      if (token !== undefined) seen.tokens.add(token);
      return;
    }
    r.statuses.set(status, {
      firstAtMs: atMs,
      count: 1,
      tokens: new Set(token === undefined ? [] : [token]),
    });
    r.lastStatus = status;
    if (r.expected !== undefined) {
      if (TERMINAL_STATUSES.has(status) && !this.hasOtherTerminal(r, status)) this.terminalCount++;
      this.settle(r.expected, status, atMs);
    }
  }

  /** A load thread reports an accepted message. */
  expect(
    sid: string,
    acceptedAtMs: number,
    awaitStatus: string | undefined,
    tags: Readonly<Record<string, string>>,
    onSettled?: (status: string, ok: boolean) => void,
  ): void {
    const r = this.record(sid);
    if (r.expected !== undefined) return;
    this.acceptedCount++;
    r.expected = {
      acceptedAtMs,
      awaitStatus,
      measuredStatus: awaitStatus ?? 'delivered',
      tags,
      onSettled,
      settled: false,
    };
    for (const status of r.statuses.keys()) {
      if (TERMINAL_STATUSES.has(status)) {
        this.terminalCount++;
        break;
      }
    }
    // Callbacks that came first, in the order they came.
    const seen = [...r.statuses.entries()].sort((a, b) => a[1].firstAtMs - b[1].firstAtMs);
    for (const [status, s] of seen) this.settle(r.expected, status, s.firstAtMs);
  }

  private hasOtherTerminal(r: MessageRecord, status: string): boolean {
    for (const s of r.statuses.keys()) if (s !== status && TERMINAL_STATUSES.has(s)) return true;
    return false;
  }

  private settle(e: Expected, status: string, atMs: number): void {
    if (e.settled) return;
    if (status === e.measuredStatus) {
      e.settled = true;
      this.onEndToEnd(Math.max(0, atMs - e.acceptedAtMs), e);
      e.onSettled?.(status, true);
    } else if (FAILED_STATUSES.has(status)) {
      e.settled = true;
      e.onSettled?.(status, false);
    }
  }

  /** Accepted messages still without a terminal status. */
  get outstanding(): number {
    return this.acceptedCount - this.terminalCount;
  }

  reconcile(): Reconciliation {
    const byStatus: Record<string, number> = {};
    let unexpected = 0;
    for (const r of this.messages.values()) {
      if (r.expected === undefined) {
        unexpected++;
        continue;
      }
      // Callbacks can arrive out of order ('sent' after 'delivered'): a terminal status wins.
      let last = r.lastStatus ?? 'none';
      for (const status of r.statuses.keys()) {
        if (TERMINAL_STATUSES.has(status)) {
          last = status;
          break;
        }
      }
      byStatus[last] = (byStatus[last] ?? 0) + 1;
    }
    return {
      accepted: this.acceptedCount,
      terminal: this.terminalCount,
      lost: this.acceptedCount - this.terminalCount,
      duplicates: this.duplicates,
      duplicatesWithNewToken: this.duplicatesWithNewToken,
      byStatus,
      invalidSignatures: this.invalidSignatures,
      unexpected,
    };
  }
}
