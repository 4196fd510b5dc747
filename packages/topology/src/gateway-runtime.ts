import { openRedisCache } from '@twilio-lab/backends';
import type { Cache } from '@twilio-lab/backends';
import { createLogger } from '@twilio-lab/cell';
import { createGateway } from '@twilio-lab/gateway';
import { createIdentity } from '@twilio-lab/identity';
import { bootstrapAccount } from '@twilio-lab/lab';
import { createCellRouter } from './cell-router.js';
import { openGlobalStore } from './global-store.js';
import { validateTopology } from './load.js';
import { createCellDirectory } from './placement.js';
import type { GatewayProcessConfig } from './process-config.js';
import { RemoteCell } from './remote-cell.js';
import { createTopologyLabControl } from './topology-control.js';

export interface RunningGatewayProcess {
  readonly port: number;
  readonly accountSid: string;
  readonly authToken: string;
  readonly adminToken: string;
  /** Drains (new requests get 503 20503), waits for requests in flight, then closes. */
  close(): Promise<void>;
}

/**
 * The global tier as a process: identity on the global store, the account → cell directory,
 * the gateway whose router forwards to RemoteCells, and the lab control API fanned out to the
 * cells.
 */
export async function startGatewayProcess(config: GatewayProcessConfig): Promise<RunningGatewayProcess> {
  const startedAt = Date.now();
  const topology = validateTopology(config.topology, 'topology');
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const log = createLogger({ level: config.log, name: 'gateway', stream: process.stdout });
    const store = await openGlobalStore(
      topology.globalBackends,
      config.dataDir,
      topology.namespace,
      config.engines,
    );
    closers.push(() => store.close());
    const identity = await createIdentity(store);
    const { account, adminToken } = await bootstrapAccount(identity, config.dataDir, config.bootstrap);

    let cache: Cache | undefined;
    if (topology.globalBackends === 'real' && config.engines !== null) {
      cache = await openRedisCache({
        url: config.engines.redisUrl,
        keyPrefix: `${topology.namespace}_global:`,
      });
      const opened = cache;
      closers.push(() => opened.close());
    }
    const directory = await createCellDirectory({
      topology,
      store,
      getAccount: (sid) => identity.getAccount(sid),
      ...(cache === undefined ? {} : { cache }),
    });

    const remotes = new Map<string, RemoteCell>();
    for (const endpoint of config.cells) {
      remotes.set(
        endpoint.cellId,
        new RemoteCell(endpoint.cellId, endpoint.url, {
          onError: (cellId, err) => log.warn({ cellId, err: String(err) }, 'cell unreachable'),
        }),
      );
    }
    closers.push(async () => {
      await Promise.all([...remotes.values()].map((r) => r.close().catch(() => undefined)));
    });

    const regionOf = new Map(topology.cells.map((c) => [c.cellId, c.region]));
    const labControl = createTopologyLabControl({
      topologyName: topology.name,
      cells: [...remotes.values()].map((remote) => ({
        cellId: remote.cellId,
        region: regionOf.get(remote.cellId) ?? '',
        control: (req) => remote.control(req),
      })),
      directory,
      numberOwner: (e164) => identity.numberOwner(e164),
      startedAt,
    });

    const gateway = await createGateway({
      identity,
      router: createCellRouter(directory, remotes),
      labControl,
      adminToken,
      host: config.host,
      port: config.port,
      rateLimit: config.rateLimit ?? { ratePerSec: 10_000, burst: 20_000 },
      bodyLimitBytes: config.bodyLimitBytes ?? 1024 * 1024,
      log,
    });
    const port = await gateway.listen();
    closers.push(() => gateway.close());

    let closing: Promise<void> | undefined;
    return {
      port,
      accountSid: account.sid,
      authToken: account.authToken,
      adminToken,
      close() {
        closing ??= (async () => {
          gateway.drain();
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
