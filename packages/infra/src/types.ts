/** The engines this package manages, their ports, and what its operations report. */

export type ServiceName = 'postgres' | 'kafka' | 'redis' | 'toxiproxy' | 'prometheus';

/** Start order: Kafka first because it is the slowest to come up (they start concurrently anyway). */
export const SERVICE_NAMES: readonly ServiceName[] = [
  'kafka',
  'postgres',
  'redis',
  'toxiproxy',
  'prometheus',
];

export interface InfraPorts {
  postgres: number;
  kafka: number;
  kafkaController: number;
  redis: number;
  toxiproxy: number;
  prometheus: number;
}

/** Dedicated loopback ports, the same as the repository's docker-compose.yml. */
export const DEFAULT_PORTS: Readonly<InfraPorts> = {
  postgres: 15432,
  kafka: 19092,
  kafkaController: 19093,
  redis: 16379,
  toxiproxy: 18474,
  prometheus: 19090,
};

export interface InfraOptions {
  /** Folder for every data file, log and pid file. Default: $TWILIO_LAB_INFRA_DIR, else <project root>/.infra. */
  dir?: string;
  ports?: Partial<InfraPorts>;
  /** An existing folder of Kafka jars (default <dir>/kafka/libs); install fills it when it lacks them. */
  kafkaLibsDir?: string;
  /** An existing toxiproxy server binary (default <dir>/bin/toxiproxy-server). */
  toxiproxyBin?: string;
  /** PostgreSQL 15 programs (default /usr/lib/postgresql/15/bin). */
  postgresBinDir?: string;
  /** Default '1GB': the machine also runs Kafka and Node. */
  postgresSharedBuffers?: string;
  /** JVM heap of the broker, default '1g'. */
  kafkaHeap?: string;
  /** How long a start waits for a service to answer, default 60 000 ms. */
  startTimeoutMs?: number;
  /** How long a stop waits for a process to exit before SIGKILL, default 30 000 ms. */
  stopTimeoutMs?: number;
  /** Progress lines (apt, maven, go); silent when absent. */
  log?: (line: string) => void;
}

export type InstallOutcome = 'installed' | 'already-installed';
export type StartOutcome = 'started' | 'already-running';
export type StopOutcome = 'stopped' | 'not-running';

/** One line of an install/start/stop: the outcome, or why it failed and where to look. */
export interface ServiceReport<Outcome extends string> {
  service: ServiceName;
  ok: boolean;
  outcome: Outcome | 'failed';
  message: string;
  error?: { code: string; message: string; logPath?: string };
}

/** What answers on a service's port. */
export type Health = 'healthy' | 'starting' | 'closed' | 'foreign';

export interface ServiceStatus {
  service: ServiceName;
  installed: boolean;
  /** A healthy instance of the service answers on its address (whoever started it). */
  running: boolean;
  health: Health;
  /** The process this folder started, when it is alive; null otherwise. */
  pid: number | null;
  host: string;
  port: number;
  /** URL or host:port a client uses. */
  address: string;
  logPath: string;
}

export interface InfraEnv {
  DATABASE_URL?: string;
  KAFKA_BROKERS?: string;
  REDIS_URL?: string;
  TOXIPROXY_URL?: string;
  PROMETHEUS_URL?: string;
}

/** <dir>/infra.json: where the lab and the tests find the engines. */
export interface InfraFile {
  dir: string;
  updatedAt: string;
  services: Record<
    ServiceName,
    { host: string; port: number; address: string; running: boolean; pid: number | null }
  >;
  /** Only the services that were healthy when the file was written. */
  env: InfraEnv;
}
