import { join } from 'node:path';
import { openEmbeddedBackends, openRealBackends } from '@twilio-lab/backends';
import type { Backends, EngineAddresses } from '@twilio-lab/backends';
import { createIdentity } from '@twilio-lab/identity';
import { defaultCarriers, startSuperNetworkThread } from '@twilio-lab/super-network';
import { createCell, createCellContext, createLogger, createWebhookDispatcher } from '@twilio-lab/cell';
import { messageStatusCounts, messagingModule, numbersModule } from '@twilio-lab/messaging';
import { createLabControl } from '@twilio-lab/lab';
import { cellIdentity } from './cell-identity.js';
import { startCellServer } from './cell-server.js';
import { TopologyError } from './errors.js';
import { openGlobalStore } from './global-store.js';
import { validateTopology } from './load.js';
import type { CellModel } from './load.js';
import type { CellProcessConfig } from './process-config.js';

export interface RunningCellProcess {
  readonly cellId: string;
  readonly port: number;
  /** Health turns 503, the cell refuses new requests and drains its pipeline and callbacks, then everything closes. */
  close(timeoutMs?: number): Promise<void>;
}

/** The folder of a cell's embedded store and carrier journals. */
export function cellDataDir(dataDir: string, cell: Pick<CellModel, 'region' | 'name'>): string {
  return join(dataDir, cell.region, cell.name);
}

/** PostgreSQL schema / Kafka topic / Redis key namespace of a cell on real backends. */
export function cellNamespace(namespace: string, cell: Pick<CellModel, 'region' | 'name'>): string {
  return `${namespace}_${cell.region}_${cell.name}`.replace(/[^a-z0-9_]+/g, '_');
}

/**
 * One cell as a process: its own backends, read access to the global identity, the product
 * modules, its own super-network thread (carriers per cell rather than per region: a v1
 * simplification), and the internal HTTP server the gateway reaches it through.
 */
export async function startCellProcess(config: CellProcessConfig): Promise<RunningCellProcess> {
  const startedAt = Date.now();
  const topology = validateTopology(config.topology, 'topology');
  const cell = topology.cells.find((c) => c.cellId === config.cellId);
  if (cell === undefined) {
    throw new TopologyError('TOPOLOGY_PROCESS_CONFIG', `the topology has no cell '${config.cellId}'`);
  }
  const dir = cellDataDir(config.dataDir, cell);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const backends = await openCellBackends(cell, dir, topology.namespace, config.engines);
    closers.push(() => backends.close());
    const globalStore = await openGlobalStore(
      topology.globalBackends,
      config.dataDir,
      topology.namespace,
      config.engines,
    );
    closers.push(() => globalStore.close());
    const identity = cellIdentity(await createIdentity(globalStore), globalStore);

    const superNetwork = await startSuperNetworkThread({
      region: cell.region,
      carriers: defaultCarriers(topology.profile),
      journalDir: join(dir, 'carriers'),
    });
    closers.push(() => superNetwork.close());

    const log = createLogger({ level: config.log, name: cell.cellId, stream: process.stdout });
    const webhooks = createWebhookDispatcher({ store: backends.store, identity, log, region: cell.region });
    const context = createCellContext({
      config: { cellId: cell.cellId, region: cell.region, profile: topology.profile },
      store: backends.store,
      queue: backends.queue,
      cache: backends.cache,
      identity,
      superNetwork,
      webhooks,
      log,
    });
    const runtime = createCell({
      context,
      modules: [numbersModule(), messagingModule({ profile: topology.profile })],
    });
    await runtime.start();
    let cellStopped = false;
    const stopCell = async (timeoutMs: number): Promise<void> => {
      if (cellStopped) return;
      cellStopped = true;
      await runtime.stop(timeoutMs);
    };
    closers.push(() => stopCell(5_000));

    const labControl = createLabControl({
      superNetwork,
      webhooks,
      queue: backends.queue,
      cell: runtime,
      messageCounts: () => messageStatusCounts(backends.store),
      startedAt,
    });
    const server = await startCellServer({ cell: runtime, labControl, host: '127.0.0.1', port: config.port });
    closers.push(async () => server.close());

    let closing: Promise<void> | undefined;
    return {
      cellId: cell.cellId,
      port: server.port,
      close(timeoutMs = 10_000) {
        closing ??= (async () => {
          // Same order as the embedded lab: refuse new work, finish what was accepted (pipeline,
          // callbacks), then close the server, the network and the stores.
          server.drain();
          await stopCell(timeoutMs).catch(() => undefined);
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function openCellBackends(
  cell: CellModel,
  dir: string,
  namespace: string,
  engines: EngineAddresses | null,
): Promise<Backends> {
  if (cell.backends === 'embedded') return openEmbeddedBackends({ dataDir: dir });
  if (engines === null) {
    throw new TopologyError(
      'TOPOLOGY_PROCESS_CONFIG',
      `cell ${cell.cellId} has real backends but no engines were given`,
    );
  }
  return openRealBackends({ engines, namespace: cellNamespace(namespace, cell) });
}
