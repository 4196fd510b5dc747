/**
 * The run's journal: what was injected and reverted when, and what each probe saw. Kept in
 * memory for the report and appended to an NDJSON file line by line (synchronously, so a line
 * is on disk before the next control call: a crashed run still leaves an accurate record).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JournalEntry } from './types.js';

export class Journal {
  readonly entries: JournalEntry[] = [];
  readonly path: string | undefined;
  /** Date.now() of the run's start; every entry's tMs counts from it. */
  readonly startedAt: number;
  private readonly listeners: ((entry: JournalEntry) => void)[] = [];

  constructor(options: { path?: string; startedAt?: number; onEntry?: (entry: JournalEntry) => void } = {}) {
    this.path = options.path;
    this.startedAt = options.startedAt ?? Date.now();
    if (options.onEntry !== undefined) this.listeners.push(options.onEntry);
    if (this.path !== undefined) mkdirSync(dirname(this.path), { recursive: true });
  }

  onEntry(listener: (entry: JournalEntry) => void): void {
    this.listeners.push(listener);
  }

  record(entry: Omit<JournalEntry, 'time' | 'tMs'>): JournalEntry {
    const now = Date.now();
    const full: JournalEntry = { time: new Date(now).toISOString(), tMs: now - this.startedAt, ...entry };
    this.entries.push(full);
    if (this.path !== undefined) appendFileSync(this.path, `${JSON.stringify(full)}\n`);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A listener's bug must not break the run (or its rollback).
      }
    }
    return full;
  }
}
