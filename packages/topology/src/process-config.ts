import type { EngineAddresses } from '@twilio-lab/backends';
import { TopologyError } from './errors.js';
import type { TopologyFile } from './schema.js';

/** Environment variable through which the supervisor hands a process its configuration (JSON). */
export const PROCESS_CONFIG_ENV = 'TWILIO_LAB_PROCESS_CONFIG';

/** SQLite file of the global tier (identity, account placement) in the topology's data dir. */
export const GLOBAL_STORE_FILE = 'global.sqlite';

export type LogLevel = 'silent' | 'info' | 'debug';

interface CommonProcessConfig {
  /** The validated topology file (defaults filled); each process re-validates it. */
  topology: TopologyFile;
  /** Absolute data directory of the topology. */
  dataDir: string;
  log: LogLevel;
  /** Engines when some backends are real. */
  engines: EngineAddresses | null;
}

export interface CellEndpoint {
  cellId: string;
  region: string;
  /** http://127.0.0.1:<port> */
  url: string;
}

export interface GatewayProcessConfig extends CommonProcessConfig {
  kind: 'gateway';
  host: string;
  port: number;
  cells: CellEndpoint[];
  bootstrap: { accountSid?: string; authToken?: string; adminToken?: string };
  rateLimit?: { ratePerSec: number; burst: number };
  bodyLimitBytes?: number;
}

export interface CellProcessConfig extends CommonProcessConfig {
  kind: 'cell';
  cellId: string;
  port: number;
}

export type ProcessConfig = GatewayProcessConfig | CellProcessConfig;

/** What a process tells the supervisor over IPC once it serves. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
  /** Gateway only: the bootstrap credentials it resolved. */
  accountSid?: string;
  authToken?: string;
  adminToken?: string;
}

/** Reads the configuration of `kind` from the environment; a TopologyError when it is missing or wrong. */
export function processConfigFromEnv<K extends ProcessConfig['kind']>(
  kind: K,
  env: NodeJS.ProcessEnv = process.env,
): Extract<ProcessConfig, { kind: K }> {
  const text = env[PROCESS_CONFIG_ENV];
  if (text === undefined || text === '') {
    throw new TopologyError(
      'TOPOLOGY_PROCESS_CONFIG',
      `${PROCESS_CONFIG_ENV} is not set; this process is started by \`twilio-lab up -t\``,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TopologyError('TOPOLOGY_PROCESS_CONFIG', `${PROCESS_CONFIG_ENV} is not JSON`, { cause: err });
  }
  const config = value as Partial<ProcessConfig> | null;
  if (config === null || typeof config !== 'object' || config.kind !== kind) {
    throw new TopologyError(
      'TOPOLOGY_PROCESS_CONFIG',
      `${PROCESS_CONFIG_ENV} is not a ${kind} configuration`,
    );
  }
  if (
    typeof config.dataDir !== 'string' ||
    typeof config.port !== 'number' ||
    typeof config.topology !== 'object'
  ) {
    throw new TopologyError(
      'TOPOLOGY_PROCESS_CONFIG',
      `${PROCESS_CONFIG_ENV} lacks dataDir, port or topology`,
    );
  }
  return config as Extract<ProcessConfig, { kind: K }>;
}
