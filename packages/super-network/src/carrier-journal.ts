/**
 * A carrier's store-and-forward memory on disk. A real SMSC keeps the messages it accepted when
 * the platform crashes; in the embedded lab the simulators share the platform's process, so
 * without this file a SIGKILL would take every accepted-but-unreceipted message with it.
 *
 * The file is append-only JSON lines, one record per event:
 *   {"k":"a", …message}            accepted (written before submit_sm_resp leaves)
 *   {"k":"o","id","stat","err","done"}  outcome decided; for DELIVRD the handset has it
 *   {"k":"c","id"}                 finished: receipt acknowledged, or none was wanted
 * Replay keeps every message without a "c"; the "o" record is what stops a restarted carrier
 * from handing the same message to the handset twice.
 *
 * Durability is against process crashes, not power loss: a write() that returned is in the
 * kernel's page cache, which survives SIGKILL of this process, so no fsync is needed (and an
 * fsync per batch would cost more than the whole simulated round trip).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { ReceiptStat } from './receipt.js';
import { MESSAGE_STATE } from './receipt.js';

export interface JournaledMessage {
  /** The carrier's message id (from submit_sm_resp). */
  id: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: readonly string[];
  messageSid: string | null;
  accountSid: string | null;
  submittedAt: number;
  validUntil: number | null;
  wantsReceipt: boolean;
  /** When the carrier planned the handset delivery and the receipt (epoch ms). */
  receiptDueAt: number;
}

export interface JournaledOutcome {
  stat: ReceiptStat;
  err: string;
  doneAt: number;
}

/** A message the carrier still owes something: a handset delivery, a receipt, or both. */
export interface PendingMessage {
  message: JournaledMessage;
  /** Set once the fate was decided (and, for DELIVRD, the handset got it); only the receipt is owed. */
  outcome: JournaledOutcome | null;
}

export interface CarrierJournalOptions {
  /** Rewrite the file from the pending set once this many bytes were appended since the last rewrite. */
  compactAfterBytes?: number;
  /** Called after every flush that wrote records (the simulator releases held submit responses here). */
  onFlushed?: () => void;
  onError?: (error: unknown) => void;
}

export interface OpenedJournal {
  journal: CarrierJournal;
  /** Messages to finish, in the order they were accepted. */
  pending: PendingMessage[];
  /** Lines that could not be read (a crash mid-write leaves at most the last one torn). */
  skippedLines: number;
}

const DEFAULT_COMPACT_AFTER_BYTES = 64 * 1024 * 1024;

export class CarrierJournal {
  /** Serialized records of each unfinished message (accepted line, then outcome line), by id. */
  private readonly pending: Map<string, string>;
  private buffer: string[] = [];
  private flushScheduled = false;
  private fd: number;
  private bytesSinceCompaction = 0;
  private readonly compactAfterBytes: number;

  private constructor(
    readonly path: string,
    pending: Map<string, string>,
    private readonly options: CarrierJournalOptions,
  ) {
    this.pending = pending;
    this.compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
    this.fd = -1;
    this.rewrite();
  }

  /** Reads the journal (if any), compacts it to the still-pending records and opens it for appending. */
  static open(path: string, options: CarrierJournalOptions = {}): OpenedJournal {
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const { lines, pending, skippedLines } = replay(text);
    return { journal: new CarrierJournal(path, lines, options), pending, skippedLines };
  }

  /** Messages accepted and not yet finished. */
  get pendingCount(): number {
    return this.pending.size;
  }

  // Records are concatenated by hand (JSON.stringify only for strings and the media list):
  // byte-identical to JSON.stringify of the record object, at a fraction of its cost per message.

  accepted(message: JournaledMessage): void {
    const line =
      '{"k":"a","id":' +
      JSON.stringify(message.id) +
      ',"from":' +
      JSON.stringify(message.from) +
      ',"to":' +
      JSON.stringify(message.to) +
      ',"body":' +
      JSON.stringify(message.body) +
      ',"media":' +
      (message.mediaUrls.length === 0 ? '[]' : JSON.stringify(message.mediaUrls)) +
      ',"sid":' +
      jsonStringOrNull(message.messageSid) +
      ',"acct":' +
      jsonStringOrNull(message.accountSid) +
      ',"sub":' +
      jsonNumber(message.submittedAt) +
      ',"valid":' +
      (message.validUntil === null ? 'null' : jsonNumber(message.validUntil)) +
      ',"rcpt":' +
      (message.wantsReceipt ? 'true' : 'false') +
      ',"due":' +
      jsonNumber(message.receiptDueAt) +
      '}\n';
    this.pending.set(message.id, line);
    this.append(line);
  }

  outcome(id: string, outcome: JournaledOutcome): void {
    const before = this.pending.get(id);
    if (before === undefined) return;
    const line =
      '{"k":"o","id":' +
      JSON.stringify(id) +
      ',"stat":' +
      JSON.stringify(outcome.stat) +
      ',"err":' +
      JSON.stringify(outcome.err) +
      ',"done":' +
      jsonNumber(outcome.doneAt) +
      '}\n';
    this.pending.set(id, before + line);
    this.append(line);
  }

  completed(id: string): void {
    if (!this.pending.delete(id)) return;
    this.append('{"k":"c","id":' + JSON.stringify(id) + '}\n');
  }

  /** Writes every record appended so far with one write; normally runs once per event-loop turn. */
  flush(): void {
    this.flushScheduled = false;
    if (this.buffer.length === 0 || this.fd < 0) return;
    const data = Buffer.from(this.buffer.length === 1 ? this.buffer[0]! : this.buffer.join(''), 'utf8');
    this.buffer = [];
    try {
      writeAll(this.fd, data);
      this.bytesSinceCompaction += data.length;
      if (this.bytesSinceCompaction >= this.compactAfterBytes) this.rewrite();
    } catch (error) {
      // Availability over durability: the carrier keeps serving, the lost records are reported.
      this.options.onError?.(error);
    }
    this.options.onFlushed?.();
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private append(line: string): void {
    this.buffer.push(line);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flushTick);
  }

  private readonly flushTick = (): void => {
    if (this.flushScheduled) this.flush();
  };

  /** Replaces the file with the pending records only (temp file + rename, so a crash leaves one or the other). */
  private rewrite(): void {
    const temp = this.path + '.tmp';
    writeFileSync(temp, [...this.pending.values()].join(''));
    renameSync(temp, this.path);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.bytesSinceCompaction = 0;
  }
}

function jsonStringOrNull(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** As JSON.stringify writes a number (non-finite becomes null). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

interface Replayed {
  lines: Map<string, string>;
  pending: PendingMessage[];
  skippedLines: number;
}

function replay(text: string): Replayed {
  const messages = new Map<string, PendingMessage>();
  const lines = new Map<string, string>();
  let skippedLines = 0;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    // A last line without its newline was cut by a crash mid-write: never trust it.
    if (end < 0) {
      skippedLines++;
      break;
    }
    const line = text.slice(start, end + 1);
    start = end + 1;
    if (line.length <= 1) continue;
    const record = parseRecord(line);
    if (record === null) {
      skippedLines++;
      continue;
    }
    if (record.kind === 'accepted') {
      messages.set(record.message.id, { message: record.message, outcome: null });
      lines.set(record.message.id, line);
    } else if (record.kind === 'outcome') {
      const entry = messages.get(record.id);
      if (entry && entry.outcome === null) {
        entry.outcome = record.outcome;
        lines.set(record.id, lines.get(record.id)! + line);
      }
    } else {
      messages.delete(record.id);
      lines.delete(record.id);
    }
  }
  return { lines, pending: [...messages.values()], skippedLines };
}

type ParsedRecord =
  | { kind: 'accepted'; message: JournaledMessage }
  | { kind: 'outcome'; id: string; outcome: JournaledOutcome }
  | { kind: 'completed'; id: string };

function parseRecord(line: string): ParsedRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string') return null;
  switch (r.k) {
    case 'a':
      if (
        typeof r.from !== 'string' ||
        typeof r.to !== 'string' ||
        typeof r.body !== 'string' ||
        !Array.isArray(r.media) ||
        !r.media.every((u) => typeof u === 'string') ||
        !stringOrNull(r.sid) ||
        !stringOrNull(r.acct) ||
        typeof r.sub !== 'number' ||
        !(r.valid === null || typeof r.valid === 'number') ||
        typeof r.rcpt !== 'boolean' ||
        typeof r.due !== 'number'
      )
        return null;
      return {
        kind: 'accepted',
        message: {
          id: r.id,
          from: r.from,
          to: r.to,
          body: r.body,
          mediaUrls: r.media as string[],
          messageSid: r.sid,
          accountSid: r.acct,
          submittedAt: r.sub,
          validUntil: r.valid,
          wantsReceipt: r.rcpt,
          receiptDueAt: r.due,
        },
      };
    case 'o':
      if (typeof r.stat !== 'string' || !(r.stat in MESSAGE_STATE)) return null;
      if (typeof r.err !== 'string' || typeof r.done !== 'number') return null;
      return {
        kind: 'outcome',
        id: r.id,
        outcome: { stat: r.stat as ReceiptStat, err: r.err, doneAt: r.done },
      };
    case 'c':
      return { kind: 'completed', id: r.id };
    default:
      return null;
  }
}

function stringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
