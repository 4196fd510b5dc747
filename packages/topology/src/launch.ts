import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enginesFromEnv } from '@twilio-lab/backends';
import type { EngineAddresses } from '@twilio-lab/backends';
import { TopologyError } from './errors.js';
import { loadTopologyFile } from './load.js';
import type { Topology } from './load.js';
import { PROCESS_CONFIG_ENV } from './process-config.js';
import type {
  CellEndpoint,
  CellProcessConfig,
  GatewayProcessConfig,
  LogLevel,
  ReadyMessage,
} from './process-config.js';
import { isPidAlive, readTopologyState, removeTopologyState, writeTopologyState } from './state.js';
import type { TopologyCellState, TopologyState } from './state.js';
import { Supervisor } from './supervisor.js';
import type { BackoffOptions, SupervisorEvent } from './supervisor.js';

export interface StartTopologyOptions {
  /** Topology file (YAML or JSON). */
  file: string;
  /** Data directory: global store, cells' folders, logs, state. Default '.lab'. */
  dataDir?: string;
  /** Gateway port; overrides the file's ports.gateway. */
  port?: number;
  host?: string;
  /** Bootstrap account and lab control token, as for the embedded `up`. */
  accountSid?: string;
  authToken?: string;
  adminToken?: string;
  log?: LogLevel;
  rateLimit?: { ratePerSec: number; burst: number };
  bodyLimitBytes?: number;
  /** Engines for real backends; unset ones come from the environment, else the infra ports. */
  engines?: Partial<EngineAddresses>;
  /** Budget for every process to become ready. Default 60 s. */
  startTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  onEvent?: (event: SupervisorEvent) => void;
}

export interface RunningTopology {
  readonly topology: Topology;
  /** The current state (the same as the state file). */
  state(): TopologyState;
  readonly supervisor: Supervisor;
  /** Graceful down: the gateway drains and stops first, then the cells; the state file goes. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL every process at once (a second Ctrl-C). */
  kill(): void;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const GATEWAY_PROCESS_SCRIPT = join(HERE, 'gateway-process.js');
export const CELL_PROCESS_SCRIPT = join(HERE, 'cell-process.js');

/** Loads the file, starts the gateway then the cells under a supervisor, waits until all are ready. */
export async function startTopology(options: StartTopologyOptions): Promise<RunningTopology> {
  const topology = await loadTopologyFile(options.file);
  const dataDir = resolve(options.dataDir ?? '.lab');
  const existing = await readTopologyState(dataDir).catch(() => null);
  if (existing !== null && existing.supervisorPid !== process.pid && isPidAlive(existing.supervisorPid)) {
    throw new TopologyError(
      'TOPOLOGY_ALREADY_RUNNING',
      `A topology ('${existing.topology}', pid ${existing.supervisorPid}) already runs in ${dataDir}; stop it with \`twilio-lab down\` or use another --data-dir.`,
    );
  }
  const host = options.host ?? '127.0.0.1';
  const gatewayPort = options.port ?? topology.ports.gateway;
  const needsEngines =
    topology.globalBackends === 'real' || topology.cells.some((c) => c.backends === 'real');
  const engines = needsEngines ? { ...enginesFromEnv(process.env), ...options.engines } : null;
  const log = options.log ?? 'info';
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  const cellPorts = await allocateCellPorts(topology);
  const cells: TopologyCellState[] = topology.cells.map((c, i) => {
    const port = cellPorts[i] ?? 0;
    return {
      cellId: c.cellId,
      region: c.region,
      capacity: c.capacity,
      port,
      url: `http://127.0.0.1:${port}`,
      backends: c.backends,
    };
  });
  const endpoints: CellEndpoint[] = cells.map((c) => ({ cellId: c.cellId, region: c.region, url: c.url }));

  const startedAt = new Date().toISOString();
  let state: TopologyState | undefined;
  let writing: Promise<void> = Promise.resolve();
  const persist = (): void => {
    if (state === undefined) return;
    state.processes = supervisor.statuses();
    const snapshot = { ...state };
    writing = writing.then(() => writeTopologyState(dataDir, snapshot)).catch(() => undefined);
  };
  const supervisor = new Supervisor({
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    nodeArgs: ['--enable-source-maps'],
    onEvent: (event) => {
      if (event.type === 'spawn' || event.type === 'exit' || event.type === 'config-error') persist();
      options.onEvent?.(event);
    },
  });

  const logFile = (name: string): string => join(dataDir, 'logs', `${name}.log`);
  const gatewayConfig: GatewayProcessConfig = {
    kind: 'gateway',
    topology: topology.file,
    dataDir,
    log,
    engines,
    host,
    port: gatewayPort,
    cells: endpoints,
    bootstrap: {
      ...(options.accountSid === undefined ? {} : { accountSid: options.accountSid }),
      ...(options.authToken === undefined ? {} : { authToken: options.authToken }),
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    },
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
  };

  try {
    // The gateway first: it creates the global store (identity, placement) that the cells open.
    supervisor.add({
      name: 'gateway',
      kind: 'gateway',
      script: GATEWAY_PROCESS_SCRIPT,
      env: { [PROCESS_CONFIG_ENV]: JSON.stringify(gatewayConfig) },
      logFile: logFile('gateway'),
      port: gatewayPort,
    });
    await supervisor.waitReady('gateway', startTimeoutMs);
    const ready = supervisor.readyMessage('gateway') as ReadyMessage;
    // Port 0 in the file or flag: later restarts must keep the port the first run got.
    gatewayConfig.port = ready.port;
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    state = {
      version: 1,
      topology: topology.name,
      file: resolve(options.file),
      dataDir,
      supervisorPid: process.pid,
      startedAt,
      gateway: { url: `http://${urlHost}:${ready.port}`, port: ready.port },
      accountSid: ready.accountSid ?? '',
      authToken: ready.authToken ?? '',
      adminToken: ready.adminToken ?? '',
      cells,
      processes: [],
    };
    // The first run resolved the bootstrap credentials; a restarted gateway must keep them.
    gatewayConfig.bootstrap = { accountSid: state.accountSid, adminToken: state.adminToken };
    supervisor.restartEnv('gateway', { [PROCESS_CONFIG_ENV]: JSON.stringify(gatewayConfig) }, ready.port);

    for (const cell of topology.cells) {
      const endpoint = cells.find((c) => c.cellId === cell.cellId);
      const cellConfig: CellProcessConfig = {
        kind: 'cell',
        topology: topology.file,
        dataDir,
        log,
        engines,
        cellId: cell.cellId,
        port: endpoint?.port ?? 0,
      };
      supervisor.add({
        name: cell.cellId,
        kind: 'cell',
        script: CELL_PROCESS_SCRIPT,
        env: { [PROCESS_CONFIG_ENV]: JSON.stringify(cellConfig) },
        logFile: logFile(cell.cellId),
        port: cellConfig.port,
        healthUrl: `${endpoint?.url ?? ''}/healthz`,
      });
    }
    await Promise.all(topology.cells.map((c) => supervisor.waitReady(c.cellId, startTimeoutMs)));
    persist();
    await writing;
  } catch (err) {
    supervisor.killAll();
    await removeTopologyState(dataDir).catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    throw new TopologyError(
      'TOPOLOGY_START_FAILED',
      `The topology did not start: ${message}${await logTail(err, dataDir)}`,
      {
        cause: err,
      },
    );
  }

  const running = state;
  let stopping: Promise<void> | undefined;
  return {
    topology,
    supervisor,
    state: () => ({ ...running, processes: supervisor.statuses() }),
    stop(timeoutMs = 15_000) {
      stopping ??= (async () => {
        await supervisor.stopInOrder([['gateway'], topology.cells.map((c) => c.cellId)], timeoutMs);
        await writing;
        await removeTopologyState(dataDir);
      })();
      return stopping;
    },
    kill() {
      supervisor.killAll();
    },
  };
}

/** Cell ports from ports.cellBase, else free ports picked now (kept across restarts). */
async function allocateCellPorts(topology: Topology): Promise<number[]> {
  if (topology.ports.cellBase > 0) return topology.cells.map((_, i) => topology.ports.cellBase + i);
  const ports: number[] = [];
  for (let i = 0; i < topology.cells.length; i++) ports.push(await freePort(ports));
  return ports;
}

async function freePort(taken: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolvePort, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const picked = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolvePort(picked));
      });
    });
    if (port > 0 && !taken.includes(port)) return port;
  }
  throw new TopologyError('TOPOLOGY_START_FAILED', 'could not find a free port for a cell');
}

/** The last lines of the log a start failure names, so the user sees why without opening it. */
async function logTail(err: unknown, dataDir: string): Promise<string> {
  const match = /see (\S+\.log)/.exec(err instanceof Error ? err.message : '');
  const path = match?.[1];
  if (path === undefined || !path.startsWith(dataDir)) return '';
  try {
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-12);
    return `\n--- last lines of ${path} ---\n${lines.join('\n')}`;
  } catch {
    return '';
  }
}

export interface DownResult {
  /** 'supervisor': SIGTERM to `up -t`, which drained and stopped everything. 'direct': the supervisor was gone, processes stopped one by one. 'none': nothing ran. */
  via: 'supervisor' | 'direct' | 'none';
  /** Processes that had to be killed (SIGKILL) after the timeout. */
  killed: string[];
  topology: string | null;
}

/**
 * `twilio-lab down`: asks the supervisor to stop (SIGTERM: the gateway drains and stops first,
 * then the cells) and waits for it; if the supervisor is gone, stops the recorded processes
 * itself in the same order. Anything still alive after `timeoutMs` is killed.
 */
export async function downTopology(dataDir: string, timeoutMs = 30_000): Promise<DownResult> {
  const dir = resolve(dataDir);
  const state = await readTopologyState(dir);
  if (state === null) return { via: 'none', killed: [], topology: null };
  const killed: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let via: DownResult['via'] = 'direct';
  if (isPidAlive(state.supervisorPid) && state.supervisorPid !== process.pid) {
    via = 'supervisor';
    process.kill(state.supervisorPid, 'SIGTERM');
    await waitGone([state.supervisorPid], deadline);
  }
  const gateway = state.processes.filter((p) => p.kind === 'gateway');
  const others = state.processes.filter((p) => p.kind !== 'gateway');
  for (const group of [gateway, others]) {
    const alive = group.filter((p) => isPidAlive(p.pid));
    for (const p of alive) signal(p.pid, 'SIGTERM');
    await waitGone(
      alive.map((p) => p.pid ?? 0),
      deadline,
    );
  }
  for (const p of state.processes) {
    if (isPidAlive(p.pid)) {
      signal(p.pid, 'SIGKILL');
      killed.push(p.name);
    }
  }
  if (isPidAlive(state.supervisorPid) && state.supervisorPid !== process.pid) {
    signal(state.supervisorPid, 'SIGKILL');
    killed.push('supervisor');
  }
  await removeTopologyState(dir, state.supervisorPid);
  return { via, killed, topology: state.topology };
}

function signal(pid: number | null, sig: NodeJS.Signals): void {
  if (pid === null) return;
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

async function waitGone(pids: readonly number[], deadline: number): Promise<void> {
  while (pids.some((pid) => isPidAlive(pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ProcessHealth {
  name: string;
  kind: string;
  pid: number | null;
  port: number | null;
  alive: boolean;
  /** 'ok' (healthz 200), 'draining', 'down' (no answer), or the supervisor's state when not running. */
  health: string;
  state: string;
  restarts: number;
  logFile: string;
}

export interface TopologyStatus {
  topology: string;
  dataDir: string;
  supervisorPid: number;
  supervisorAlive: boolean;
  gatewayUrl: string;
  accountSid: string;
  processes: ProcessHealth[];
  cells: {
    cellId: string;
    region: string;
    capacity: number;
    port: number;
    accounts: number | null;
    status: string;
  }[];
  /** The gateway's aggregated /lab/v1/Status, when it answered. */
  lab: Record<string, unknown> | null;
}

/** Health of every process (pid alive, GET /healthz) and the cells' account counts, from the state file. */
export async function topologyStatus(dataDir: string): Promise<TopologyStatus | null> {
  const dir = resolve(dataDir);
  const state = await readTopologyState(dir);
  if (state === null) return null;
  const urlOf = (name: string): string | undefined =>
    name === 'gateway' ? state.gateway.url : state.cells.find((c) => c.cellId === name)?.url;
  const processes = await Promise.all(
    state.processes.map(async (p): Promise<ProcessHealth> => {
      const alive = isPidAlive(p.pid);
      const url = urlOf(p.name);
      const health = !alive ? p.state : url === undefined ? 'unknown' : await probe(`${url}/healthz`);
      return {
        name: p.name,
        kind: p.kind,
        pid: p.pid,
        port: p.port,
        alive,
        health,
        state: p.state,
        restarts: p.restarts,
        logFile: p.logFile,
      };
    }),
  );
  let lab: Record<string, unknown> | null = null;
  try {
    const response = await fetch(`${state.gateway.url}/lab/v1/Status`, {
      headers: { authorization: `Bearer ${state.adminToken}` },
      signal: AbortSignal.timeout(3_000),
    });
    if (response.status === 200) lab = (await response.json()) as Record<string, unknown>;
  } catch {
    lab = null;
  }
  const labCells = new Map(
    ((lab?.cells ?? []) as { cell_id: string; accounts?: number; status?: string }[]).map((c) => [
      c.cell_id,
      c,
    ]),
  );
  return {
    topology: state.topology,
    dataDir: dir,
    supervisorPid: state.supervisorPid,
    supervisorAlive: isPidAlive(state.supervisorPid),
    gatewayUrl: state.gateway.url,
    accountSid: state.accountSid,
    processes,
    cells: state.cells.map((c) => ({
      cellId: c.cellId,
      region: c.region,
      capacity: c.capacity,
      port: c.port,
      accounts: labCells.get(c.cellId)?.accounts ?? null,
      status: labCells.get(c.cellId)?.status ?? 'unknown',
    })),
    lab,
  };
}

async function probe(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200 ? 'ok' : response.status === 503 ? 'draining' : `http ${response.status}`;
  } catch {
    return 'down';
  }
}
