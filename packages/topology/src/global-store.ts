import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore } from '@twilio-lab/backends';
import type { EngineAddresses, Store } from '@twilio-lab/backends';
import { TopologyError } from './errors.js';
import { GLOBAL_STORE_FILE } from './process-config.js';
import type { BackendKindName } from './schema.js';

/**
 * The global tier's store (identity, account placement). Embedded: one SQLite file in the data
 * dir, opened by the gateway and (mostly for reads) by every cell: WAL lets several processes
 * share it, and busy_timeout makes their rare writes (number claims) wait for each other.
 * Real: the PostgreSQL schema `<namespace>_global`.
 */
export async function openGlobalStore(
  kind: BackendKindName,
  dataDir: string,
  namespace: string,
  engines: EngineAddresses | null,
): Promise<Store> {
  if (kind === 'embedded') {
    await mkdir(dataDir, { recursive: true });
    return openSqliteStore({ path: join(dataDir, GLOBAL_STORE_FILE) });
  }
  if (engines === null) {
    throw new TopologyError(
      'TOPOLOGY_PROCESS_CONFIG',
      'the global tier has real backends but no engines were given',
    );
  }
  return openPostgresStore({
    url: engines.databaseUrl,
    schema: `${namespace}_global`.toLowerCase().replace(/[^a-z0-9_]+/g, '_'),
    poolSize: 2,
  });
}
