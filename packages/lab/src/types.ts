import type { EngineAddresses } from '@twilio-lab/backends';
/**
 * The embedded lab: gateway, identity, one cell with every product module, the super-network
 * with its carrier simulators, all in one process on embedded backends. `twilio-lab up`
 * with no topology starts exactly this.
 */

export interface LabOptions {
  /** Gateway port; 0 picks a free one. Default 3000. */
  port?: number;
  host?: string;
  /** Folder for the SQLite store and state. Default '.lab' under the cwd. */
  dataDir?: string;
  /** In-memory store: nothing survives a restart. Only when asked for explicitly. */
  ephemeral?: boolean;
  /**
   * 'embedded' (default): SQLite and in-process queue and cache, no service needed.
   * 'real': PostgreSQL, Kafka and Redis (started by `twilio-lab infra start` or docker compose).
   */
  backend?: 'embedded' | 'real';
  /** Engines for backend 'real'; unset ones come from DATABASE_URL, KAFKA_BROKERS, REDIS_URL, else the infra ports. */
  engines?: Partial<EngineAddresses>;
  /**
   * Prefix of this lab's PostgreSQL schemas, Kafka topics and Redis keys on shared engines.
   * Default 'lab'; two labs on the same engines need different namespaces.
   */
  namespace?: string;
  /** Bootstrap account (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN); generated when absent. */
  accountSid?: string;
  authToken?: string;
  /** Lab control API token (TWILIO_LAB_ADMIN_TOKEN); generated when absent. */
  adminToken?: string;
  /** Sender throughput profile. Default 'lab'. */
  profile?: 'lab' | 'realistic';
  /** Per-account API rate limit (requests/s and burst). Default 10,000/s, burst 20,000. */
  rateLimit?: { ratePerSec: number; burst: number };
  /** Largest accepted request body in bytes. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Path of a carriers config (JSON or YAML); the built-in US/EU set when absent. */
  carriersFile?: string;
  log?: 'silent' | 'info' | 'debug';
  /**
   * Microseconds of CPU burnt per API request (TWILIO_LAB_HANDICAP_US): a deliberately slower
   * build for proving the CI performance gate. Never set it otherwise.
   */
  handicapMicros?: number;
}

export interface LabInfo {
  baseUrl: string;
  port: number;
  accountSid: string;
  authToken: string;
  adminToken: string;
  dataDir: string | null;
  backend: 'embedded' | 'real';
  /** The engines in use, when backend is 'real'. */
  engines: EngineAddresses | null;
  pid: number;
  startedAt: string;
  carriers: { name: string; address: string; prefixes: readonly string[] }[];
}

export interface RunningLab {
  readonly info: LabInfo;
  /** Stops taking requests, drains in-flight work (pipeline and webhooks) up to `timeoutMs`, closes everything. */
  close(timeoutMs?: number): Promise<void>;
}
