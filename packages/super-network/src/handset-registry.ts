/**
 * The simulated handsets of one super-network, shared by all its carriers: every delivered
 * message lands in the recipient's inbox, and a handset sends through a carrier chosen by the
 * network (see `sender`). Inboxes are bounded so a long storm cannot exhaust memory.
 */
import { isE164 } from '@twilio-lab/core';
import { SuperNetworkError } from './errors.js';
import type { HandsetMessage, HandsetService } from './types.js';

export type HandsetSender = (input: {
  from: string;
  to: string;
  body: string;
  mediaUrls: readonly string[];
}) => Promise<{ carrier: string }>;

interface Waiter {
  since: number;
  predicate: ((m: HandsetMessage) => boolean) | undefined;
  resolve: (m: HandsetMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Sees every message a handset receives (see watch()). */
export type HandsetWatcher = (message: HandsetMessage) => void;

export interface HandsetRegistryOptions {
  /** Messages kept per handset (oldest dropped first). */
  maxMessagesPerHandset?: number;
  /** Handsets kept (the least recently created inbox is dropped first). */
  maxHandsets?: number;
}

export class HandsetRegistry implements HandsetService {
  private readonly inboxes = new Map<string, HandsetMessage[]>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly watchers = new Map<string, Set<HandsetWatcher>>();
  private readonly maxPerHandset: number;
  private readonly maxHandsets: number;
  private sender: HandsetSender | null = null;

  constructor(options: HandsetRegistryOptions = {}) {
    // At most 10,000 × 100 messages (~250 MB) are kept: a storm to millions of recipients must
    // not grow memory without bound, and a test reads the newest messages of a few handsets.
    this.maxPerHandset = options.maxMessagesPerHandset ?? 100;
    this.maxHandsets = options.maxHandsets ?? 10_000;
  }

  /** The network decides which carrier carries a handset's message. */
  setSender(sender: HandsetSender): void {
    this.sender = sender;
  }

  /** Called by a carrier when it delivers a message to a handset. */
  deliver(message: HandsetMessage): void {
    this.append(message.to, message);
    const watching = this.watchers.get(message.to);
    if (watching) for (const watcher of watching) watcher(message);
    const waiting = this.waiters.get(message.to);
    if (!waiting) return;
    for (const waiter of waiting) {
      if (message.at < waiter.since) continue;
      if (waiter.predicate && !waiter.predicate(message)) continue;
      this.settle(message.to, waiter);
      waiter.resolve(message);
    }
  }

  /** Synchronous inbox, for code that lives beside the registry (the contract's inbox() is async). */
  inboxNow(e164: string, options: { since?: number; limit?: number } = {}): HandsetMessage[] {
    const messages = this.inboxes.get(e164) ?? [];
    const since = options.since;
    const filtered = since === undefined ? messages.slice() : messages.filter((m) => m.at >= since);
    const limit = options.limit;
    return limit !== undefined && limit >= 0 && filtered.length > limit ? filtered.slice(-limit) : filtered;
  }

  inbox(e164: string, options: { since?: number; limit?: number } = {}): Promise<HandsetMessage[]> {
    return Promise.resolve(this.inboxNow(e164, options));
  }

  /**
   * Calls `watcher` with every message `e164` has received since `since` (at once, oldest first)
   * and then with each new one, until the returned function is called. This is waitFor() for a
   * waiter on another thread, whose predicate cannot cross over: it filters on its own side.
   */
  watch(e164: string, since: number, watcher: HandsetWatcher): () => void {
    for (const m of this.inboxes.get(e164) ?? []) {
      if (m.direction === 'in' && m.at >= since) watcher(m);
    }
    let set = this.watchers.get(e164);
    if (!set) this.watchers.set(e164, (set = new Set()));
    set.add(watcher);
    return () => {
      const current = this.watchers.get(e164);
      if (!current) return;
      current.delete(watcher);
      if (current.size === 0) this.watchers.delete(e164);
    };
  }

  async send(input: {
    from: string;
    to: string;
    body: string;
    mediaUrls?: readonly string[];
  }): Promise<HandsetMessage> {
    if (!isE164(input.from)) {
      throw new SuperNetworkError(
        'INVALID_NUMBER',
        `A handset number must be E.164 (+ and 7-15 digits), got '${input.from}'`,
      );
    }
    if (!this.sender)
      throw new SuperNetworkError('NO_BOUND_CARRIER', 'No carrier is attached to the handsets');
    const mediaUrls = input.mediaUrls ?? [];
    const { carrier } = await this.sender({ from: input.from, to: input.to, body: input.body, mediaUrls });
    const message: HandsetMessage = {
      direction: 'out',
      from: input.from,
      to: input.to,
      body: input.body,
      mediaUrls,
      carrier,
      messageSid: null,
      at: Date.now(),
    };
    this.append(input.from, message);
    return message;
  }

  waitFor(
    e164: string,
    options: { since?: number; timeoutMs: number; predicate?: (m: HandsetMessage) => boolean },
  ): Promise<HandsetMessage> {
    const since = options.since ?? 0;
    const predicate = options.predicate;
    for (const m of this.inboxes.get(e164) ?? []) {
      if (m.direction === 'in' && m.at >= since && (!predicate || predicate(m))) return Promise.resolve(m);
    }
    return new Promise<HandsetMessage>((resolve, reject) => {
      const waiter: Waiter = {
        since,
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.settle(e164, waiter);
          reject(
            new SuperNetworkError(
              'HANDSET_WAIT_TIMEOUT',
              `No matching message reached ${e164} within ${options.timeoutMs} ms`,
            ),
          );
        }, options.timeoutMs),
      };
      let set = this.waiters.get(e164);
      if (!set) this.waiters.set(e164, (set = new Set()));
      set.add(waiter);
    });
  }

  clear(e164?: string): Promise<void> {
    if (e164 === undefined) this.inboxes.clear();
    else this.inboxes.delete(e164);
    return Promise.resolve();
  }

  /** Rejects every pending waitFor and drops every watcher (the network is closing). */
  close(): void {
    this.watchers.clear();
    for (const [e164, set] of this.waiters) {
      for (const waiter of set) {
        this.settle(e164, waiter);
        waiter.reject(new SuperNetworkError('NETWORK_CLOSED', 'The super-network was closed'));
      }
    }
  }

  private settle(e164: string, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const set = this.waiters.get(e164);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(e164);
  }

  private append(e164: string, message: HandsetMessage): void {
    let messages = this.inboxes.get(e164);
    if (!messages) {
      if (this.inboxes.size >= this.maxHandsets) {
        const oldest = this.inboxes.keys().next();
        if (!oldest.done) this.inboxes.delete(oldest.value);
      }
      this.inboxes.set(e164, (messages = []));
    }
    messages.push(message);
    if (messages.length > this.maxPerHandset) messages.splice(0, messages.length - this.maxPerHandset);
  }
}
