import type { Store } from '@twilio-lab/backends';
import type { NumberRow } from '../numbers/schema.js';
import { findNumber, findNumberByE164 } from '../numbers/repo.js';

/** Reloads tried when writes keep landing while a table is read (then the last read stands). */
const MAX_LOAD_ATTEMPTS = 5;
/** Separator of opt-out key parts: it cannot occur in a SID or an E.164 number. */
const SEP = '\u0000';

interface OptOutKeyRow {
  account_sid: string;
  recipient: string;
  sender: string;
}

/**
 * In-memory copies of what every Messages create (and every inbound SMS) reads: the cell's
 * numbers and its opt-outs. The cell is the only writer of both tables, and every code path
 * that writes them tells the directory once its write resolved, so the copies stay exact and
 * the hot path needs no store read. Until a table is loaded, readers fall back to the store
 * (see `numberByE164` etc. below), so a caller never sees a half-built copy.
 *
 * One directory per store (see `directoryFor`): the numbers module and the messaging module of
 * one cell share it, and a restarted cell over the same store finds it already exact.
 */
export class MessagingDirectory {
  private readonly numbers = new Map<string, NumberRow>();
  private readonly optOuts = new Set<string>();
  private numbersReady: Promise<void> | null = null;
  private optOutsReady: Promise<void> | null = null;
  private numbersLoaded = false;
  private optOutsLoaded = false;
  // Bumped by every change: a load that saw a change while reading reads again.
  private numbersVersion = 0;
  private optOutsVersion = 0;

  get hasNumbers(): boolean {
    return this.numbersLoaded;
  }

  get hasOptOuts(): boolean {
    return this.optOutsLoaded;
  }

  /** Loads incoming_phone_numbers once (later calls share the first load). */
  loadNumbers(store: Store): Promise<void> {
    this.numbersReady ??= this.loadConsistently(
      () => this.numbersVersion,
      () => store.all<NumberRow>('SELECT * FROM incoming_phone_numbers'),
      (rows) => {
        this.numbers.clear();
        for (const row of rows) this.numbers.set(row.phone_number, row);
        this.numbersLoaded = true;
      },
    ).catch((err: unknown) => {
      this.numbersReady = null;
      throw err;
    });
    return this.numbersReady;
  }

  /** Loads messaging_opt_outs once (later calls share the first load). */
  loadOptOuts(store: Store): Promise<void> {
    this.optOutsReady ??= this.loadConsistently(
      () => this.optOutsVersion,
      () => store.all<OptOutKeyRow>('SELECT account_sid, recipient, sender FROM messaging_opt_outs'),
      (rows) => {
        this.optOuts.clear();
        for (const row of rows) this.optOuts.add(optOutKey(row.account_sid, row.recipient, row.sender));
        this.optOutsLoaded = true;
      },
    ).catch((err: unknown) => {
      this.optOutsReady = null;
      throw err;
    });
    return this.optOutsReady;
  }

  private async loadConsistently<T>(
    version: () => number,
    read: () => Promise<T[]>,
    install: (rows: T[]) => void,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const before = version();
      const rows = await read();
      // A change reported while the read ran may or may not be in `rows`: read again.
      if (version() === before || attempt >= MAX_LOAD_ATTEMPTS) {
        install(rows);
        return;
      }
    }
  }

  /** The number (any account), or undefined; only meaningful once `hasNumbers`. */
  number(e164: string): NumberRow | undefined {
    return this.numbers.get(e164);
  }

  /** True when `recipient` sent STOP to any of `senders`; only meaningful once `hasOptOuts`. */
  optedOut(accountSid: string, recipient: string, senders: readonly string[]): boolean {
    for (const sender of senders) {
      if (this.optOuts.has(optOutKey(accountSid, recipient, sender))) return true;
    }
    return false;
  }

  /** A number was inserted or updated (call with the row as the store now holds it). */
  putNumber(row: NumberRow): void {
    this.numbersVersion++;
    this.numbers.set(row.phone_number, row);
  }

  removeNumber(e164: string): void {
    this.numbersVersion++;
    this.numbers.delete(e164);
  }

  addOptOuts(accountSid: string, recipient: string, senders: readonly string[]): void {
    this.optOutsVersion++;
    for (const sender of senders) this.optOuts.add(optOutKey(accountSid, recipient, sender));
  }

  removeOptOuts(accountSid: string, recipient: string, senders: readonly string[]): void {
    this.optOutsVersion++;
    for (const sender of senders) this.optOuts.delete(optOutKey(accountSid, recipient, sender));
  }
}

function optOutKey(accountSid: string, recipient: string, sender: string): string {
  return accountSid + SEP + recipient + SEP + sender;
}

const directories = new WeakMap<Store, MessagingDirectory>();

/** The directory of the cell that owns `store`. */
export function directoryFor(store: Store): MessagingDirectory {
  let directory = directories.get(store);
  if (directory === undefined) {
    directory = new MessagingDirectory();
    directories.set(store, directory);
  }
  return directory;
}

/** The account's number `e164`: from the directory once loaded, else from the store. */
export async function ownedNumber(
  store: Store,
  accountSid: string,
  e164: string,
): Promise<NumberRow | undefined> {
  const directory = directoryFor(store);
  if (!directory.hasNumbers) return findNumber(store, accountSid, e164);
  const row = directory.number(e164);
  return row !== undefined && row.account_sid === accountSid ? row : undefined;
}

/** Whoever owns `e164` in this cell: from the directory once loaded, else from the store. */
export async function numberOwnedBy(store: Store, e164: string): Promise<NumberRow | undefined> {
  const directory = directoryFor(store);
  return directory.hasNumbers ? directory.number(e164) : findNumberByE164(store, e164);
}

/** True when `recipient` sent STOP to any of `senders` (a number or a Messaging Service). */
export async function isOptedOut(
  store: Store,
  accountSid: string,
  recipient: string,
  senders: readonly string[],
): Promise<boolean> {
  if (senders.length === 0) return false;
  const directory = directoryFor(store);
  if (directory.hasOptOuts) return directory.optedOut(accountSid, recipient, senders);
  const row = await store.get(
    `SELECT 1 AS hit FROM messaging_opt_outs WHERE account_sid = ? AND recipient = ? AND sender IN (${senders.map(() => '?').join(', ')})`,
    [accountSid, recipient, ...senders],
  );
  return row !== undefined;
}
