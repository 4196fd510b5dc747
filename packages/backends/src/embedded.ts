/**
 * The embedded backends: everything one process needs, with no external service.
 *
 * Real engines plug in beside this, not inside it: a later `openBackends(config)` will pick
 * per concern and load the adapter with a dynamic `import('./postgres-store.js')`,
 * `import('./kafka-queue.js')` or `import('./redis-cache.js')`, so that this embedded path
 * never loads pg, kafkajs or ioredis. Each adapter must pass the same contract suites
 * (src/contract/*.contract.ts) that the embedded implementations pass.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createMemoryCache } from './memory-cache.js';
import { createMemoryQueue } from './memory-queue.js';
import { openMemoryStore, openSqliteStore } from './sqlite-store.js';
import type { Cache, Queue, Store } from './types.js';

export interface EmbeddedBackendsOptions {
  /** Folder holding cell.sqlite; created when missing. Default '.lab' under the cwd. */
  dataDir?: string;
  /** In-memory store: nothing survives the process. Only when asked for explicitly. */
  ephemeral?: boolean;
  synchronous?: 'full' | 'normal';
}

export interface Backends {
  store: Store;
  queue: Queue;
  cache: Cache;
  /** Stops the queue (waiting for in-flight handlers, which may still write), then the store, then the cache. */
  close(): Promise<void>;
}

export const EMBEDDED_STORE_FILE = 'cell.sqlite';

export async function openEmbeddedBackends(options: EmbeddedBackendsOptions = {}): Promise<Backends> {
  let store: Store;
  if (options.ephemeral === true) {
    store = await openMemoryStore();
  } else {
    const dataDir = resolve(options.dataDir ?? '.lab');
    await mkdir(dataDir, { recursive: true });
    store = await openSqliteStore({
      path: join(dataDir, EMBEDDED_STORE_FILE),
      synchronous: options.synchronous,
    });
  }
  return backendsOf(store, createMemoryQueue(), createMemoryCache());
}

/**
 * One Backends from its three parts. close() runs once: the queue first (its in-flight
 * handlers may still write), then the store, then the cache, each even if the one before failed.
 */
export function backendsOf(store: Store, queue: Queue, cache: Cache): Backends {
  let closing: Promise<void> | null = null;
  return {
    store,
    queue,
    cache,
    close() {
      closing ??= (async () => {
        try {
          await queue.close();
        } finally {
          try {
            await store.close();
          } finally {
            await cache.close();
          }
        }
      })();
      return closing;
    },
  };
}
