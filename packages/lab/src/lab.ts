/**
 * Composition of the embedded lab: every tier in one process on embedded backends. The
 * pieces are the same ones topology mode runs as separate processes; only the wiring differs
 * (the gateway calls the cell's handle() directly instead of over HTTP).
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  enginesFromEnv,
  openEmbeddedBackends,
  openPostgresStore,
  openRealBackends,
  openRedisCache,
  namespaceNames,
  type Backends,
  type Cache,
  type EngineAddresses,
  type Store,
} from '@twilio-lab/backends';
import { createIdentity } from '@twilio-lab/identity';
import { defaultCarriers, loadCarriersFile, startSuperNetworkThread } from '@twilio-lab/super-network';
import { createCell, createCellContext, createLogger, createWebhookDispatcher } from '@twilio-lab/cell';
import { messagingModule, numbersModule, messageStatusCounts, OUTBOUND_TOPIC } from '@twilio-lab/messaging';
import { createRegistry } from '@twilio-lab/metrics';
import { createGateway } from '@twilio-lab/gateway';
import { lookupModule } from '@twilio-lab/lookup';
import { verifyModule } from '@twilio-lab/verify';
import { verifySmsChannel } from './verify-channels.js';
import { bootstrapAccount } from './bootstrap.js';
import { createLabControl } from './control.js';
import { recordQueueLag } from './queue-metrics.js';
import type { LabInfo, LabOptions, RunningLab } from './types.js';

const CELL_ID = 'cell-1';
const REGION = 'us1';

export async function startLab(options: LabOptions = {}): Promise<RunningLab> {
  const startedAt = Date.now();
  const ephemeral = options.ephemeral ?? false;
  const dataDir = ephemeral ? null : resolve(options.dataDir ?? '.lab');
  const profile = options.profile ?? 'lab';
  const level = options.log ?? 'info';

  const backendKind = options.backend ?? 'embedded';
  const engines = backendKind === 'real' ? { ...enginesFromEnv(process.env), ...options.engines } : null;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    const { backends, identityStore, globalCache } = await openBackends(
      engines,
      ephemeral,
      dataDir,
      options.namespace,
    );
    if (globalCache !== null) closers.push(() => globalCache.close());
    closers.push(() => backends.close());
    if (identityStore !== backends.store) closers.push(() => identityStore.close());
    const identity = await createIdentity(identityStore);
    const { account, adminToken } = await bootstrapAccount(identity, dataDir, options);

    const carriers = options.carriersFile
      ? await loadCarriersFile(options.carriersFile)
      : defaultCarriers(profile);
    // The carriers journal what they accepted, as real SMSCs keep their store across our crash:
    // after a restart they still deliver and send the receipts the platform is owed.
    // The super-network is its own tier (regional, not per cell): on its own thread its carriers,
    // SMPP binds and PDU coding do not compete with the cell for the main thread.
    const superNetwork = await startSuperNetworkThread({
      region: REGION,
      carriers,
      ...(dataDir ? { journalDir: join(dataDir, 'carriers') } : {}),
    });
    closers.push(() => superNetwork.close());

    const log = createLogger({ level, name: CELL_ID });
    // One registry for the whole process: the gateway serves it as /metrics, the cell's
    // modules and the webhook dispatcher record into it.
    const metrics = createRegistry({ process: 'lab', region: REGION, cell: CELL_ID });
    recordQueueLag(metrics, backends.queue, OUTBOUND_TOPIC, 'sender');
    const webhooks = createWebhookDispatcher({ store: backends.store, identity, log, metrics });
    const context = createCellContext({
      config: { cellId: CELL_ID, region: REGION, profile },
      store: backends.store,
      queue: backends.queue,
      cache: backends.cache,
      identity,
      superNetwork,
      webhooks,
      log,
      metrics,
    });
    const cell = createCell({
      context,
      modules: [
        numbersModule(),
        messagingModule({ profile }),
        lookupModule({ carriers }),
        verifyModule({
          channels: { sms: verifySmsChannel(superNetwork) },
          // Stable across restarts of this lab, so a resend after a restart repeats the code.
          codeSecret: createHash('sha256').update(`verify-codes:${adminToken}`).digest('hex'),
        }),
      ],
    });
    await cell.start();
    closers.push(() => cell.stop(5_000));

    const labControl = createLabControl({
      superNetwork,
      webhooks,
      queue: backends.queue,
      cell,
      messageCounts: () => messageStatusCounts(backends.store),
      startedAt,
    });
    const gateway = await createGateway({
      identity,
      router: { cellFor: () => cell },
      labControl,
      adminToken,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 3000,
      rateLimit: options.rateLimit ?? { ratePerSec: 10_000, burst: 20_000 },
      // On the real engines the buckets live in Redis, as several gateways would share them.
      ...(globalCache === null
        ? {}
        : {
            rateLimiter: {
              take: (accountSid: string, ratePerSec: number, burst: number) =>
                globalCache.takeToken(`ratelimit:${accountSid}`, ratePerSec, burst),
            },
          }),
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      log,
      metrics,
      ...(options.handicapMicros === undefined ? {} : { handicapMicros: options.handicapMicros }),
    });
    const port = await gateway.listen();
    const host = options.host ?? '127.0.0.1';

    const info: LabInfo = {
      baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      accountSid: account.sid,
      authToken: account.authToken,
      adminToken,
      dataDir,
      backend: backendKind,
      engines,
      pid: process.pid,
      startedAt: new Date(startedAt).toISOString(),
      carriers: superNetwork
        .addresses()
        .map((a) => ({ name: a.name, address: a.address, prefixes: a.prefixes })),
    };

    let closing: Promise<void> | undefined;
    return {
      info,
      close(timeoutMs = 10_000) {
        closing ??= (async () => {
          // Order matters: refuse new requests first, then let the cell finish what it
          // accepted (pipeline and callbacks), then tear down the network and the store.
          gateway.drain();
          await cell.stop(timeoutMs).catch(() => undefined);
          closers.pop(); // cell already stopped
          await gateway.close();
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

/**
 * Embedded: one SQLite store holds identity and the cell. Real: the global tier (identity) and
 * the cell get their own PostgreSQL schemas, as they would be separate databases in production.
 */
async function openBackends(
  engines: EngineAddresses | null,
  ephemeral: boolean,
  dataDir: string | null,
  namespace = 'lab',
): Promise<{ backends: Backends; identityStore: Store; globalCache: Cache | null }> {
  if (engines === null) {
    const backends = await openEmbeddedBackends(ephemeral ? { ephemeral: true } : { dataDir: dataDir! });
    return { backends, identityStore: backends.store, globalCache: null };
  }
  const backends = await openRealBackends({ engines, namespace: `${namespace}_${REGION}_${CELL_ID}` });
  const global = namespaceNames(`${namespace}_global`);
  let identityStore: Store | undefined;
  try {
    identityStore = await openPostgresStore({ url: engines.databaseUrl, schema: global.schema, poolSize: 2 });
    const globalCache = await openRedisCache({ url: engines.redisUrl, keyPrefix: global.keyPrefix });
    return { backends, identityStore, globalCache };
  } catch (err) {
    await identityStore?.close().catch(() => undefined);
    await backends.close().catch(() => undefined);
    throw err;
  }
}
