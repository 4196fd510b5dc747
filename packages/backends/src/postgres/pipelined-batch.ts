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
 * Runs of like single-row statements go as one statement each (coalesce.ts). When one of
 * those fails, its caller is unknown: the batch runs again as written (step 2 then applies).
 *
 * Deadlocks / serialization failures (class 40) rerun the attempt; a connection lost before
 * BEGIN was answered reruns it on a fresh connection (nothing can have run). A connection
 * lost later fails the batch: whether COMMIT happened is unknown, so nobody is told it did.
 */
import type pg from 'pg';
import type { PendingWrite } from '../group-commit.js';
import { classifyFailure, storeError } from './pg-errors.js';
import type { TranslationCache } from './sql-text.js';
import type { SqlValue, WriteOp } from '../types.js';
import { keyText } from './coalesce.js';
import type { StatementCoalescer, Unit } from './coalesce.js';

const MAX_RETRIES = 3;

type Settled = { ok: true; value: pg.QueryResult } | { ok: false; error: unknown };

type AttemptOutcome =
  | { kind: 'committed' }
  /** One caller's statement failed; the transaction was rolled back; `error` is that caller's. */
  | { kind: 'caller'; index: number; error: unknown }
  /** A coalesced statement failed (rolled back): which caller's op is unknown. */
  | { kind: 'coalesced'; error: unknown }
  /** The attempt failed as a whole; `beforeBegin` when nothing reached the server's SQL layer. */
  | { kind: 'batch'; error: unknown; beforeBegin: boolean };

export interface BatchDeps {
  pool: pg.Pool;
  sql: TranslationCache;
  coalescer: StatementCoalescer;
}

/** Sets result or error on every item; resolves whether a transaction committed. Never rejects. */
export async function runPipelinedBatch(deps: BatchDeps, batch: readonly PendingWrite[]): Promise<boolean> {
  let live = batch.slice();
  let callerFailures = 0;
  let retries = 0;
  let coalesce = true;
  while (live.length > 0) {
    if (callerFailures >= 2) return runIsolated(deps, live);
    const outcome = await withClient(deps.pool, (client) => attemptTogether(deps, client, live, coalesce));
    if (outcome.kind === 'committed') return true;
    if (outcome.kind === 'coalesced') {
      // Nothing stayed; as written, the failing statement names its caller.
      coalesce = false;
      for (const item of live) item.result = undefined;
      continue;
    }
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

/** The socket under a pg client: pg has no public handle on it. */
interface CorkableClient {
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
}

/**
 * Runs `queue` (which queues queries synchronously) with the client's socket corked. pg corks
 * around each query by itself, so without this every statement of a pipeline is its own
 * writev system call (and its own packet for the server to read); corked, the whole batch
 * leaves in one write when `queue` returns. Corking nests, so pg's own cork/uncork pairs
 * inside only add to the buffer.
 */
function corked(client: pg.PoolClient, queue: () => void): void {
  const stream = (client as unknown as CorkableClient).connection?.stream;
  stream?.cork?.();
  try {
    queue();
  } finally {
    stream?.uncork?.();
  }
}

function settle(query: Promise<pg.QueryResult>): Promise<Settled> {
  return query.then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error }),
  );
}

/**
 * All callers in one transaction, pipelined; runs of like statements coalesced (coalesce.ts)
 * unless `coalesce` is off. A coalesced statement that fails cannot name its caller: the
 * outcome says so and the batch runs again as written.
 */
async function attemptTogether(
  deps: BatchDeps,
  client: pg.PoolClient,
  calls: readonly PendingWrite[],
  coalesce: boolean,
): Promise<AttemptOutcome> {
  const units: Unit[] = coalesce
    ? deps.coalescer.plan(calls)
    : calls.flatMap((call, c) =>
        call.ops.map((op, o): Unit => ({ kind: 'single', op, at: { call: c, op: o } })),
      );
  // Everything is queued synchronously, so pg writes it as one pipeline (and one write).
  let begin!: Promise<Settled>;
  let replies!: Promise<Settled>[];
  let commit!: Promise<Settled>;
  corked(client, () => {
    begin = settle(client.query('BEGIN'));
    replies = units.map((unit) => sendUnit(client, deps, unit));
    commit = settle(client.query('COMMIT'));
  });

  const begun = await begin;
  if (!begun.ok) {
    await Promise.all([commit, ...replies]);
    return { kind: 'batch', error: begun.error, beforeBegin: true };
  }
  const changes = calls.map((call) => new Array<number>(call.ops.length).fill(0));
  let failure: AttemptOutcome | undefined;
  for (let u = 0; u < units.length; u++) {
    const answer = await replies[u]!;
    if (failure !== undefined) continue;
    const unit = units[u]!;
    if (!answer.ok) {
      const kind = classifyFailure(answer.error);
      if (kind !== 'statement') failure = { kind: 'batch', error: answer.error, beforeBegin: false };
      else if (unit.kind === 'single') failure = { kind: 'caller', index: unit.at.call, error: answer.error };
      else failure = { kind: 'coalesced', error: answer.error };
      continue;
    }
    recordChanges(unit, answer.value, changes);
  }
  const committed = await commit;
  if (failure !== undefined) return failure;
  if (!committed.ok) return { kind: 'batch', error: committed.error, beforeBegin: false };
  for (let c = 0; c < calls.length; c++) calls[c]!.result = changes[c]!;
  return { kind: 'committed' };
}

function sendUnit(client: pg.PoolClient, deps: BatchDeps, unit: Unit): Promise<Settled> {
  if (unit.kind === 'single') return send(client, deps, unit.op, true);
  const prepared = deps.sql.get(unit.sql);
  return settle(client.query({ name: prepared.name, text: prepared.text, values: unit.params }));
}

/** Rows changed per op: as reported, one per inserted row, or per key an UPDATE returned. */
function recordChanges(unit: Unit, result: pg.QueryResult, changes: number[][]): void {
  if (unit.kind === 'single') {
    changes[unit.at.call]![unit.at.op] = result.rowCount ?? 0;
    return;
  }
  if (unit.kind === 'insert') {
    // A plain INSERT either inserts every row or fails as a whole.
    for (const at of unit.at) changes[at.call]![at.op] = 1;
    return;
  }
  const byKey = new Map<string, number>();
  for (const row of result.rows as { k: SqlValue }[]) {
    const key = keyText(row.k);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  for (let i = 0; i < unit.at.length; i++) {
    const at = unit.at[i]!;
    changes[at.call]![at.op] = byKey.get(unit.keys[i]!) ?? 0;
  }
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
    let pipelines!: { begin: Promise<Settled>; replies: Promise<Settled>[]; commit: Promise<Settled> }[];
    corked(client, () => {
      pipelines = calls.map((call) => ({
        begin: settle(client.query('BEGIN')),
        replies: call.ops.map((op) => send(client, deps, op, false)),
        commit: settle(client.query('COMMIT')),
      }));
    });
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
