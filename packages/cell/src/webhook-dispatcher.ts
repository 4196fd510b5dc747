/**
 * The webhook dispatcher: a durable outbox in the cell's store plus an in-memory delivery
 * engine (due-time heap → per-origin FIFO lanes → undici). The row is written before
 * anything is sent and removed only after a 2xx or a move to the dead letters, so a
 * callback is delivered at least once or ends up in the dead-letter list — never dropped.
 */
import { randomUUID } from 'node:crypto';
import { newSid, twilioError } from '@twilio-lab/core';
import type { Migration, Store, WriteOp } from '@twilio-lab/backends';
import type { IdentityService } from '@twilio-lab/identity';
import type { Registry } from '@twilio-lab/metrics';
import { Agent } from 'undici';
import { retryDelayMs } from './backoff.js';
import { DueQueue } from './due-queue.js';
import { OriginLanes } from './origin-lanes.js';
import {
  COUNT_DEAD,
  COUNT_OUTBOX,
  MAX_IDS_PER_STATEMENT,
  SELECT_OUTBOX,
  WEBHOOK_MIGRATIONS,
  attemptOp,
  deadLetterFromRow,
  deadLetterOps,
  deadLettersQuery,
  deleteOps,
  entryFromRow,
  insertOp,
  selectIdsSql,
} from './webhook-schema.js';
import type { DeadLetterRow, OutboxEntry, OutboxRow } from './webhook-schema.js';
import { WebhookTransportError, buildSignedRequest, parseWebhookUrl, sendSigned } from './webhook-http.js';
import { OUTCOME_ERROR, OUTCOME_TIMEOUT, WebhookRecorder, statusOutcome } from './webhook-metrics.js';
import type { WebhookKindSeries } from './webhook-metrics.js';
import type { Logger, WebhookDispatcher, WebhookRequest, WebhookResponse } from './types.js';

export interface WebhookDispatcherOptions {
  store: Store;
  identity: IdentityService;
  log: Logger;
  now?: () => number;
  /** Attempts per callback before it moves to the dead letters. Default 6. */
  maxAttempts?: number;
  /** First retry's back-off cap; doubles per attempt. Default 1000. */
  baseDelayMs?: number;
  /** Largest back-off cap. Default 60000. */
  maxDelayMs?: number;
  /** Deadline of one attempt (connect + reply). Default 15000. */
  timeoutMs?: number;
  /** Deliveries in flight per origin. Default 16. */
  perOriginConcurrency?: number;
  /** Value of the X-Home-Region header. Default 'us1'. */
  region?: string;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** The process's registry: attempts, durations, failures, dead letters, pending. None: not recorded. */
  metrics?: Registry;
}

export type OutboxWebhookDispatcher = WebhookDispatcher & {
  migrations: Migration[];
  /** Reloads undelivered rows and resumes their delivery (after a restart). Idempotent. */
  start(): Promise<void>;
  /** Stops timers, aborts attempts in flight and closes connections; rows stay for the next start. */
  stop(): Promise<void>;
};

/** A staged row (enqueueOps) not found in the store after this long is taken as rolled back. */
const STAGED_TTL_MS = 60_000;

interface Tracked {
  entry: OutboxEntry;
  target: URL | null;
  /** Lane key; unparseable URLs share one lane and fail on their first attempt. */
  origin: string;
  /** Its kind's series; undefined when metrics are off. */
  series: WebhookKindSeries | undefined;
}

type AttemptOutcome = { ok: true } | { ok: false; error: string; permanent: boolean };

/** What one HTTP exchange took, from sending to the reply (or the failure). */
function elapsedSeconds(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

/** Outcome index of a failed exchange. */
function transportOutcome(e: unknown): number {
  return e instanceof WebhookTransportError && e.timedOut ? OUTCOME_TIMEOUT : OUTCOME_ERROR;
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): OutboxWebhookDispatcher {
  const { store, identity, log } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const backoff = { baseDelayMs: options.baseDelayMs ?? 1000, maxDelayMs: options.maxDelayMs ?? 60_000 };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const perOrigin = Math.max(1, options.perOriginConcurrency ?? 16);
  const region = options.region ?? 'us1';
  const random = options.random ?? Math.random;
  const recorder = options.metrics === undefined ? undefined : new WebhookRecorder(options.metrics);

  const agentOptions = {
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connections: perOrigin,
    pipelining: 1,
  };
  // Callbacks and synchronous TwiML fetches get separate pools, so a backlog of status
  // callbacks to one host never queues an inbound message's TwiML fetch behind it.
  const callbackAgent = new Agent(agentOptions);
  const fetchAgent = new Agent(agentOptions);

  /** Every callback known durable and not yet finished, by id. */
  const entries = new Map<string, Tracked>();
  /** enqueueOps rows whose caller's write may not have committed yet. */
  const staged = new Map<string, { entry: OutboxEntry; stagedAt: number }>();
  /** Async work that drain/stop must wait for (attempts, writes, flush checks, fetches). */
  const busy = new Set<Promise<unknown>>();
  let deleteBatch: string[] = [];
  let deleteScheduled = false;
  let flushRunning = false;
  let flushAgain = false;
  let started: Promise<void> | null = null;
  let stopped = false;
  let drainWaiters: (() => void)[] = [];

  const dueQueue = new DueQueue<Tracked>((t) => lanes.submit(t.origin, t), now);
  const lanes = new OriginLanes<Tracked>(perOrigin, (t) => {
    track(attempt(t));
  });

  function track<T>(p: Promise<T>): Promise<T> {
    busy.add(p);
    const done = (): void => {
      busy.delete(p);
      checkIdle();
    };
    p.then(done, done);
    return p;
  }

  function idle(): boolean {
    return entries.size === 0 && busy.size === 0 && deleteBatch.length === 0 && !flushRunning;
  }

  function checkIdle(): void {
    if (drainWaiters.length === 0 || !idle()) return;
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function newEntry(request: WebhookRequest): OutboxEntry {
    const at = now();
    return {
      id: newSid('WH'),
      accountSid: request.accountSid,
      kind: request.kind,
      resourceSid: request.resourceSid,
      url: request.url,
      method: request.method,
      params: { ...request.params },
      idempotencyToken: randomUUID(),
      requestId: request.requestId ?? null,
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      dateCreated: at,
    };
  }

  function admit(entry: OutboxEntry): void {
    if (stopped || entries.has(entry.id)) return;
    const target = parseWebhookUrl(entry.url);
    const series = recorder?.series(entry.kind);
    const tracked: Tracked = { entry, target, origin: target?.origin ?? '(invalid)', series };
    entries.set(entry.id, tracked);
    if (series !== undefined) series.pending++;
    if (entry.nextAttemptAt <= now()) lanes.submit(tracked.origin, tracked);
    else dueQueue.schedule(tracked, entry.nextAttemptAt);
  }

  function finish(t: Tracked): void {
    if (entries.delete(t.entry.id) && t.series !== undefined) t.series.pending--;
    checkIdle();
  }

  async function deliverOnce(t: Tracked): Promise<AttemptOutcome> {
    const { entry, target, series } = t;
    // Failures before any HTTP exchange count as 'error' attempts without a duration.
    if (target === null) {
      series?.attempt(OUTCOME_ERROR);
      return { ok: false, error: `invalid callback URL '${entry.url}'`, permanent: true };
    }
    let authToken: string;
    try {
      const account = await identity.getAccount(entry.accountSid);
      if (account === undefined) {
        series?.attempt(OUTCOME_ERROR);
        return { ok: false, error: `account ${entry.accountSid} not found: cannot sign`, permanent: true };
      }
      authToken = account.authToken;
    } catch (e) {
      series?.attempt(OUTCOME_ERROR);
      return { ok: false, error: `account lookup failed: ${(e as Error).message}`, permanent: false };
    }
    const request = buildSignedRequest(entry, target, authToken, region);
    const startedAt = series === undefined ? 0 : performance.now();
    try {
      const reply = await sendSigned(callbackAgent, request, timeoutMs, false);
      // An exchange cut short by stop() is not an attempt (see attempt()), so not recorded either.
      if (!stopped) series?.attempt(statusOutcome(reply.status), elapsedSeconds(startedAt));
      if (reply.status >= 200 && reply.status < 300) return { ok: true };
      return { ok: false, error: `HTTP ${reply.status}`, permanent: false };
    } catch (e) {
      if (!stopped) series?.attempt(transportOutcome(e), elapsedSeconds(startedAt));
      const message = e instanceof WebhookTransportError ? e.message : String(e);
      return { ok: false, error: message, permanent: false };
    }
  }

  async function attempt(t: Tracked): Promise<void> {
    if (stopped) {
      lanes.release(t.origin);
      return;
    }
    let outcome: AttemptOutcome;
    try {
      outcome = await deliverOnce(t);
    } finally {
      // The lane slot is about the HTTP exchange only; bookkeeping writes happen outside it.
      lanes.release(t.origin);
    }
    // An attempt cut short by stop() is not counted: the row is retried after the restart.
    if (stopped) return;
    if (outcome.ok) {
      queueDelete(t.entry.id);
      log.debug(
        {
          id: t.entry.id,
          kind: t.entry.kind,
          resourceSid: t.entry.resourceSid,
          attempts: t.entry.attempts + 1,
        },
        'webhook delivered',
      );
      finish(t);
      return;
    }
    await recordFailure(t, outcome.error, outcome.permanent);
  }

  async function recordFailure(t: Tracked, error: string, permanent: boolean): Promise<void> {
    const entry = t.entry;
    entry.attempts += 1;
    entry.lastError = error;
    if (permanent || entry.attempts >= maxAttempts) {
      try {
        await store.write(deadLetterOps(entry, error, now()));
        t.series?.deadLetters.inc();
        log.warn(
          {
            id: entry.id,
            accountSid: entry.accountSid,
            kind: entry.kind,
            resourceSid: entry.resourceSid,
            url: entry.url,
            attempts: entry.attempts,
            error,
          },
          'webhook dead-lettered',
        );
      } catch (e) {
        // The row is still in the outbox, so the next start() retries it; nothing is lost.
        log.error({ err: e, id: entry.id }, 'webhook dead-letter write failed');
      }
      finish(t);
      return;
    }
    entry.nextAttemptAt = now() + retryDelayMs(backoff, entry.attempts, random);
    t.series?.failures.inc();
    log.debug(
      { id: entry.id, attempts: entry.attempts, error, nextAttemptAt: entry.nextAttemptAt },
      'webhook attempt failed',
    );
    try {
      await store.write([attemptOp(entry)]);
    } catch (e) {
      // Losing the counter only means extra attempts after a restart; keep retrying now.
      log.error({ err: e, id: entry.id }, 'webhook attempt bookkeeping failed');
    }
    if (stopped) return;
    dueQueue.schedule(t, entry.nextAttemptAt);
  }

  function queueDelete(id: string): void {
    deleteBatch.push(id);
    if (deleteScheduled) return;
    deleteScheduled = true;
    // One tick of delivered callbacks becomes one store write.
    setImmediate(flushDeletes);
  }

  function flushDeletes(): Promise<void> {
    deleteScheduled = false;
    if (deleteBatch.length === 0) return Promise.resolve();
    const ids = deleteBatch;
    deleteBatch = [];
    return track(
      store.write(deleteOps(ids)).then(
        () => undefined,
        (e: unknown) =>
          log.error(
            { err: e, count: ids.length },
            'webhook outbox delete failed (they will be re-sent after a restart)',
          ),
      ),
    );
  }

  async function checkStaged(): Promise<void> {
    flushRunning = true;
    try {
      do {
        flushAgain = false;
        const ids = [...staged.keys()];
        const committed = new Set<string>();
        for (let i = 0; i < ids.length; i += MAX_IDS_PER_STATEMENT) {
          const chunk = ids.slice(i, i + MAX_IDS_PER_STATEMENT);
          const rows = await store.all<{ id: string }>(selectIdsSql(chunk.length), chunk);
          for (const row of rows) committed.add(row.id);
        }
        const cutoff = now() - STAGED_TTL_MS;
        for (const id of ids) {
          const s = staged.get(id);
          if (s === undefined) continue;
          if (committed.has(id)) {
            staged.delete(id);
            admit(s.entry);
          } else if (s.stagedAt < cutoff) {
            staged.delete(id);
            log.warn(
              { id, kind: s.entry.kind, resourceSid: s.entry.resourceSid },
              'staged webhook never committed; dropped',
            );
          }
        }
      } while (flushAgain && !stopped);
    } catch (e) {
      log.error({ err: e }, 'webhook flush failed; staged callbacks resume on the next flush or start');
    } finally {
      flushRunning = false;
      checkIdle();
    }
  }

  async function fetchOnce(request: WebhookRequest): Promise<WebhookResponse> {
    const target = parseWebhookUrl(request.url);
    if (target === null) {
      throw twilioError(11200, undefined, { detail: `Invalid URL '${request.url}'` });
    }
    const account = await identity.getAccount(request.accountSid);
    if (account === undefined) {
      throw twilioError(11200, undefined, { detail: `Account ${request.accountSid} not found` });
    }
    const signed = buildSignedRequest(
      { ...request, idempotencyToken: randomUUID(), requestId: request.requestId ?? null },
      target,
      account.authToken,
      region,
    );
    const series = recorder?.series(request.kind);
    let lastError: WebhookTransportError | null = null;
    // A refused or reset connection (typically a keep-alive socket the server just closed)
    // gets one more try; a timeout does not: the 15 s budget is spent.
    for (let i = 0; i < 2; i++) {
      const startedAt = series === undefined ? 0 : performance.now();
      try {
        const reply = await sendSigned(fetchAgent, signed, timeoutMs, true);
        series?.attempt(statusOutcome(reply.status), elapsedSeconds(startedAt));
        return reply;
      } catch (e) {
        series?.attempt(transportOutcome(e), elapsedSeconds(startedAt));
        if (!(e instanceof WebhookTransportError)) throw e;
        lastError = e;
        if (!e.connect) break;
      }
    }
    throw twilioError(11200, undefined, { detail: lastError?.message ?? 'request failed' });
  }

  function insertOpsFor(request: WebhookRequest): { entry: OutboxEntry; op: WriteOp } {
    const entry = newEntry(request);
    return { entry, op: insertOp(entry) };
  }

  return {
    migrations: [...WEBHOOK_MIGRATIONS],

    async enqueue(request) {
      const { entry, op } = insertOpsFor(request);
      await store.write([op]);
      admit(entry);
    },

    enqueueOps(request) {
      const { entry, op } = insertOpsFor(request);
      staged.set(entry.id, { entry, stagedAt: now() });
      return [op];
    },

    flush() {
      if (staged.size === 0 || stopped) return;
      if (flushRunning) {
        flushAgain = true;
        return;
      }
      void track(checkStaged());
    },

    request(request) {
      return track(fetchOnce(request));
    },

    async deadLetters(filter = {}) {
      const query = deadLettersQuery(filter);
      const rows = await store.all<DeadLetterRow>(query.sql, query.params);
      return rows.map(deadLetterFromRow);
    },

    async pending() {
      if (deleteBatch.length > 0) await flushDeletes();
      const row = await store.get<{ n: number }>(COUNT_OUTBOX);
      return Number(row?.n ?? 0);
    },

    async deadLetterCount() {
      const row = await store.get<{ n: number }>(COUNT_DEAD);
      return Number(row?.n ?? 0);
    },

    drain(drainTimeoutMs) {
      if (idle()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          drainWaiters = drainWaiters.filter((w) => w !== done);
          log.warn(
            { pending: entries.size, inFlight: busy.size },
            'webhook drain timed out; undelivered callbacks stay in the outbox',
          );
          resolve();
        }, drainTimeoutMs);
        // Deliberately ref'd (and always cleared): retry timers are unref'd, so this is what
        // keeps a process that awaits drain() alive until the retries are due.
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        drainWaiters.push(done);
      });
    },

    start() {
      started ??= (async () => {
        const rows = await store.all<OutboxRow>(SELECT_OUTBOX);
        for (const row of rows) {
          staged.delete(row.id);
          admit(entryFromRow(row));
        }
        if (rows.length > 0) log.info({ count: rows.length }, 'webhook outbox resumed');
      })();
      return started;
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      dueQueue.close();
      await flushDeletes();
      // Destroying aborts attempts still waiting on slow endpoints; their rows stay put.
      await Promise.all([callbackAgent.destroy(), fetchAgent.destroy()]);
      await Promise.allSettled([...busy]);
      entries.clear();
      recorder?.clearPending();
      staged.clear();
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
