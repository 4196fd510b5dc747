// @twilio-lab/infra: the real engines (PostgreSQL, Kafka, Redis, Toxiproxy, Prometheus) without Docker.
export {
  install,
  start,
  stop,
  status,
  startService,
  stopService,
  readInfraFile,
  envFromStatuses,
  selectServices,
  isServiceName,
} from './infra.js';
export {
  resolveConfig,
  findProjectRoot,
  parsePorts,
  INFRA_DIR_ENV,
  INFRA_PORTS_ENV,
  HOST,
} from './config.js';
export type { InfraConfig } from './config.js';
export { InfraError } from './errors.js';
export type { InfraErrorCode } from './errors.js';
export { SERVICE_NAMES, DEFAULT_PORTS } from './types.js';
export type {
  ServiceName,
  InfraPorts,
  InfraOptions,
  InfraEnv,
  InfraFile,
  Health,
  ServiceStatus,
  ServiceReport,
  InstallOutcome,
  StartOutcome,
  StopOutcome,
} from './types.js';
export {
  kafkaPom,
  kafkaLog4j2,
  kafkaServerProperties,
  redisConf,
  postgresConf,
  prometheusYml,
  KAFKA_VERSION,
} from './conf-writers.js';
export { formatReports, formatEnv, formatStatuses } from './format.js';
export { probePostgres, probeKafka, probeRedis, probeToxiproxy, probePrometheus } from './probe.js';
