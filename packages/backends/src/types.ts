/**
 * Backend interfaces. Every concern has one interface here, an embedded implementation, and
 * (in a later issue) a real-engine implementation; ONE contract suite runs against all of them.
 * Product modules only ever see these interfaces.
 */

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

/**
 * Portable SQL: '?' placeholders, types TEXT / INTEGER / REAL / BLOB, INTEGER holds epoch
 * milliseconds for times, 'ON CONFLICT … DO NOTHING/UPDATE' instead of dialect-specific upserts.
 * A migration may give a per-dialect variant when portable SQL cannot express it.
 */
export interface Migration {
  /** Unique, ordered within a module, e.g. 'messaging-001-messages'. */
  id: string;
  sql: string;
  postgres?: string;
}

export interface WriteOp {
  sql: string;
  params: readonly SqlValue[];
}

export interface Store {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  /** Applies migrations not yet applied (recorded in a bookkeeping table), in order. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  all<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /**
   * Runs the ops atomically and resolves once they are durable. Concurrent calls are
   * group-committed: batched into one transaction (each call inside its own savepoint, so
   * one caller's constraint error rejects only that caller). Resolves with the number of
   * rows each op changed.
   */
  write(ops: readonly WriteOp[]): Promise<number[]>;
  close(): Promise<void>;
  /**
   * Group-commit counters, when the implementation batches writes: `commits` transactions
   * committed, `writes` write() calls carried by them. writes / commits is the batching factor.
   */
  stats?(): StoreStats;
}

export interface StoreStats {
  commits: number;
  writes: number;
}

export interface QueueMessage {
  /** Partition key: messages with one key are handled in order (e.g. the account SID). */
  key: string;
  /** JSON text. */
  value: string;
}

export interface SubscribeOptions {
  /** How many partitions are worked on at once (each partition stays serial). Default 8. */
  concurrency?: number;
  /** Largest batch handed to the handler. Default 64. */
  maxBatch?: number;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * An at-least-once log. The handler's promise resolving is the commit: a batch whose handler
 * throws is retried (after a short delay) and is never skipped.
 */
export interface Queue {
  readonly kind: 'memory' | 'kafka';
  publish(topic: string, messages: readonly QueueMessage[]): Promise<void>;
  subscribe(
    topic: string,
    group: string,
    handler: (batch: readonly QueueMessage[]) => Promise<void>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  /** Messages published to the topic and not yet committed by the group (0 if unknown). */
  lag(topic: string, group: string): Promise<number>;
  close(): Promise<void>;
}

export interface TokenTake {
  ok: boolean;
  /** When not ok: milliseconds until one token is available. */
  retryAfterMs: number;
  remaining: number;
}

export interface Cache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Atomic increment; sets the TTL when the key is created. */
  incr(key: string, ttlMs?: number): Promise<number>;
  /** Token bucket (or GCRA): `ratePerSec` refill, `burst` capacity, one token taken when ok. */
  takeToken(key: string, ratePerSec: number, burst: number): Promise<TokenTake>;
  close(): Promise<void>;
}
