/** Builds a CellContext from its parts; the clock defaults to the wall clock. */
import type { CellContext } from './types.js';

export type CellContextParts = Omit<CellContext, 'now'> & { now?: () => number };

export function createCellContext(parts: CellContextParts): CellContext {
  const now = parts.now ?? Date.now;
  return {
    config: parts.config,
    store: parts.store,
    queue: parts.queue,
    cache: parts.cache,
    identity: parts.identity,
    superNetwork: parts.superNetwork,
    webhooks: parts.webhooks,
    log: parts.log,
    metrics: parts.metrics,
    now: () => now(),
  };
}
