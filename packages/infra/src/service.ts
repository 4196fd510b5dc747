/** The shape every engine's driver has; infra.ts runs them without knowing which is which. */
import type { InfraConfig } from './config.js';
import type { Endpoint } from './lifecycle.js';
import type { InstallOutcome, ServiceName, StartOutcome, StopOutcome } from './types.js';

export interface ServiceDriver {
  readonly name: ServiceName;
  /** Human name for messages: "PostgreSQL". */
  readonly label: string;
  endpoint(cfg: InfraConfig): Endpoint;
  /** What a client is given: a URL, or host:port for Kafka. */
  address(cfg: InfraConfig): string;
  logPath(cfg: InfraConfig): string;
  isInstalled(cfg: InfraConfig): Promise<boolean>;
  install(cfg: InfraConfig): Promise<InstallOutcome>;
  start(cfg: InfraConfig): Promise<StartOutcome>;
  stop(cfg: InfraConfig): Promise<StopOutcome>;
  /** The live process this folder started, or null. */
  pid(cfg: InfraConfig): Promise<number | null>;
}
