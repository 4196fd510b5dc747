/**
 * Runs one group-commit batch on PostgreSQL in as few round trips as possible.
 *
 * The client runs in pg's pipeline mode: BEGIN, every caller's statements and COMMIT are
 * written back to back and answered together, so a batch of any size costs one round trip
 * (plus the commit's WAL flush). Callers are NOT wrapped in savepoints: in a pipeline the
 * client cannot react to a failure before the following statements are already sent, and
 * more than 64 subtransactions in one transaction overflow PostgreSQL's per-backend subxid
 * cache, which slows every concurrent snapshot. Instead:
 *
 *  1. Optimistic: the whole batch in one transaction. The usual case; one round trip.
 *  2. A statement failed: PostgreSQL aborts the transaction, the statements after it fail
 *     with 25P02 and COMMIT rolls back. The first failure names its caller, who is rejected
 *     alone; the others run again in a fresh transaction (nothing of the first attempt stayed).
 *  3. A second caller failed too: the remaining callers run each in a transaction of its
 *     own, still pipelined, so any number of failures costs one more round trip.
 *
 * Deadlocks / serialization failures (class 40) rerun the attempt; a connection lost before
 * BEGIN was answered reruns it on a fresh connection (nothing can have run). A connection
 * lost later fails the batch: whether COMMIT happened is unknown, so nobody is told it did.
 */
import type pg from 'pg';
import type { PendingWrite } from '../group-commit.js';
import { classifyFailure, storeError } from './pg-errors.js';
import type { TranslationCache } from './sql-text.js';
import type { WriteOp } from '../types.js';

const MAX_RETRIES = 3;

type Settled = { ok: true; value: pg.QueryResult } | { ok: false; error: unknown };

type AttemptOutcome =
  | { kind: 'committed' }
  /** One caller's statement failed; the transaction was rolled back; `error` is that caller's. */
  | { kind: 'caller'; index: number; error: unknown }
  /** The attempt failed as a whole; `beforeBegin` when nothing reached the server's SQL layer. */
  | { kind: 'batch'; error: unknown; beforeBegin: boolean };

export interface BatchDeps {
  pool: pg.Pool;
  sql: TranslationCache;
}

/** Sets result or error on every item; resolves whether a transaction committed. Never rejects. */
export async function runPipelinedBatch(deps: BatchDeps, batch: readonly PendingWrite[]): Promise<boolean> {
  let live = batch.slice();
  let callerFailures = 0;
  let retries = 0;
  while (live.length > 0) {
    if (callerFailures >= 2) return runIsolated(deps, live);
    const outcome = await withClient(deps.pool, (client) => attemptTogether(deps, client, live));
    if (outcome.kind === 'committed') return true;
    if (outcome.kind === 'caller') {
      const failed = live[outcome.index]!;
      failed.result = undefined;
      failed.error = storeError(outcome.error, 'write failed');
      live = live.filter((_, i) => i !== outcome.index);
      for (const item of live) item.result = undefined;
      callerFailures += 1;
      continue;
    }
    const kind = classifyFailure(outcome.error);
    const retryable = kind === 'retry' || (kind === 'connection' && outcome.beforeBegin);
    if (retryable && retries < MAX_RETRIES) {
      retries += 1;
      for (const item of live) item.result = undefined;
      continue;
    }
    if (kind === 'statement' && live.length > 1) {
      // Failed at COMMIT (a deferred constraint): no statement names the caller.
      return runIsolated(deps, live);
    }
    failAll(live, outcome.error);
    return false;
  }
  return false;
}

/** Checks a client out, runs `attempt`, and destroys the client if its connection broke. */
async function withClient(
  pool: pg.Pool,
  attempt: (client: pg.PoolClient) => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    return { kind: 'batch', error, beforeBegin: false };
  }
  let broken: Error | undefined;
  try {
    const outcome = await attempt(client);
    if (outcome.kind === 'batch' && classifyFailure(outcome.error) === 'connection') {
      broken = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
    }
    return outcome;
  } finally {
    client.release(broken);
  }
}

function send(client: pg.PoolClient, deps: BatchDeps, op: WriteOp, named: boolean): Promise<Settled> {
  const prepared = deps.sql.get(op.sql);
  const config: pg.QueryConfig = named
    ? { name: prepared.name, text: prepared.text, values: op.params as unknown[] }
    : { text: prepared.text, values: op.params as unknown[] };
  return settle(client.query(config));
}

function settle(query: Promise<pg.QueryResult>): Promise<Settled> {
  return query.then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

/** All callers in one transaction, pipelined. */
async function attemptTogether(
  deps: BatchDeps,
  client: pg.PoolClient,
  calls: readonly PendingWrite[],
): Promise<AttemptOutcome> {
  // Everything is queued synchronously, so pg writes it as one pipeline.
  const begin = settle(client.query('BEGIN'));
  const replies: Promise<Settled>[][] = calls.map((call) =>
    call.ops.map((op) => send(client, deps, op, true)),
  );
  const commit = settle(client.query('COMMIT'));

  const begun = await begin;
  if (!begun.ok) {
    await Promise.all([commit, ...replies.flat()]);
    return { kind: 'batch', error: begun.error, beforeBegin: true };
  }
  let failure: AttemptOutcome | undefined;
  for (let c = 0; c < calls.length; c++) {
    const answers = replies[c]!;
    const changes = new Array<number>(answers.length);
    for (let o = 0; o < answers.length; o++) {
      const answer = await answers[o]!;
      if (failure !== undefined) continue;
      if (answer.ok) {
        changes[o] = answer.value.rowCount ?? 0;
      } else {
        const kind = classifyFailure(answer.error);
        failure =
          kind === 'statement'
            ? { kind: 'caller', index: c, error: answer.error }
            : { kind: 'batch', error: answer.error, beforeBegin: false };
      }
    }
    if (failure === undefined) calls[c]!.result = changes;
  }
  const committed = await commit;
  if (failure !== undefined) return failure;
  if (!committed.ok) return { kind: 'batch', error: committed.error, beforeBegin: false };
  return { kind: 'committed' };
}

/**
 * Each caller in its own transaction, all pipelined: a failure aborts only its own
 * transaction (its COMMIT becomes a rollback) and the next BEGIN starts clean. Unnamed
 * statements here: a named statement whose first Parse landed in an aborted transaction
 * would be missing for the callers after it.
 */
async function runIsolated(deps: BatchDeps, calls: readonly PendingWrite[]): Promise<boolean> {
  let client: pg.PoolClient;
  try {
    client = await deps.pool.connect();
  } catch (error) {
    failAll(calls, error);
    return false;
  }
  let broken: Error | undefined;
  let anyCommitted = false;
  try {
    const pipelines = calls.map((call) => ({
      begin: settle(client.query('BEGIN')),
      replies: call.ops.map((op) => send(client, deps, op, false)),
      commit: settle(client.query('COMMIT')),
    }));
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c]!;
      const { begin, replies, commit } = pipelines[c]!;
      const answers = [await begin, ...(await Promise.all(replies)), await commit];
      const failed = answers.find((a): a is { ok: false; error: unknown } => !a.ok);
      if (failed !== undefined) {
        call.result = undefined;
        call.error = storeError(failed.error, 'write failed');
        if (classifyFailure(failed.error) === 'connection') {
          broken = failed.error instanceof Error ? failed.error : new Error(String(failed.error));
        }
        continue;
      }
      // A COMMIT of an aborted transaction answers ROLLBACK without an error.
      if ((answers[answers.length - 1] as { value: pg.QueryResult }).value.command !== 'COMMIT') {
        call.error = storeError(new Error('the transaction was rolled back'), 'write failed');
        continue;
      }
      call.result = answers.slice(1, -1).map((a) => (a as { value: pg.QueryResult }).value.rowCount ?? 0);
      anyCommitted = true;
    }
  } finally {
    client.release(broken);
  }
  return anyCommitted;
}

function failAll(calls: readonly PendingWrite[], error: unknown): void {
  const failure = storeError(error, 'write failed');
  for (const call of calls) {
    call.result = undefined;
    call.error = failure;
  }
}
