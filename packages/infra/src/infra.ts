/** install / start / stop / status over any set of services, and the infra.json they leave behind. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { resolveConfig, type InfraConfig } from './config.js';
import { InfraError, errorMessage } from './errors.js';
import { kafka } from './services/kafka.js';
import { postgres } from './services/postgres.js';
import { prometheus } from './services/prometheus.js';
import { redis } from './services/redis.js';
import { toxiproxy } from './services/toxiproxy.js';
import type { ServiceDriver } from './service.js';
import {
  SERVICE_NAMES,
  type InfraEnv,
  type InfraFile,
  type InfraOptions,
  type InstallOutcome,
  type ServiceName,
  type ServiceReport,
  type ServiceStatus,
  type StartOutcome,
  type StopOutcome,
} from './types.js';

const DRIVERS: Readonly<Record<ServiceName, ServiceDriver>> = {
  postgres,
  kafka,
  redis,
  toxiproxy,
  prometheus,
};

const ENV_NAMES: Readonly<Record<ServiceName, keyof InfraEnv>> = {
  postgres: 'DATABASE_URL',
  kafka: 'KAFKA_BROKERS',
  redis: 'REDIS_URL',
  toxiproxy: 'TOXIPROXY_URL',
  prometheus: 'PROMETHEUS_URL',
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** Validates names (all services when empty), de-duplicated, in SERVICE_NAMES order. */
export function selectServices(names: readonly string[] = []): ServiceName[] {
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length > 0) {
    throw new InfraError(
      'INFRA_UNKNOWN_SERVICE',
      `Unknown service ${unknown.map((n) => `"${n}"`).join(', ')}; choose from ${SERVICE_NAMES.join(', ')}.`,
    );
  }
  return SERVICE_NAMES.filter((n) => names.length === 0 || names.includes(n));
}

const DONE_WORDS: Readonly<Record<string, string>> = {
  installed: 'installed',
  'already-installed': 'already installed',
  started: 'started',
  'already-running': 'already running',
  stopped: 'stopped',
  'not-running': 'not running',
};

async function runEach<Outcome extends string>(
  services: readonly ServiceName[],
  cfg: InfraConfig,
  action: (driver: ServiceDriver) => Promise<Outcome>,
  where: (driver: ServiceDriver) => string,
): Promise<ServiceReport<Outcome>[]> {
  // Concurrent: the slow ones (Kafka's JVM, a Maven or Go build) overlap; apt serialises itself.
  return Promise.all(
    services.map(async (name): Promise<ServiceReport<Outcome>> => {
      const driver = DRIVERS[name];
      try {
        const outcome = await action(driver);
        return {
          service: name,
          ok: true,
          outcome,
          message: `${name}: ${DONE_WORDS[outcome] ?? outcome} (${where(driver)})`,
        };
      } catch (err) {
        const code = err instanceof InfraError ? err.code : 'INFRA_START_FAILED';
        const logPath = err instanceof InfraError ? err.logPath : undefined;
        return {
          service: name,
          ok: false,
          outcome: 'failed',
          message: `${name}: failed: ${errorMessage(err)}`,
          error: { code, message: errorMessage(err), ...(logPath === undefined ? {} : { logPath }) },
        };
      }
    }),
  );
}

/** Installs what is missing; idempotent. Failures are reported per service, never thrown. */
export async function install(
  services: readonly string[] = [],
  options: InfraOptions = {},
): Promise<ServiceReport<InstallOutcome>[]> {
  const cfg = resolveConfig(options);
  const names = selectServices(services);
  await mkdir(cfg.dir, { recursive: true, mode: 0o755 });
  return runEach(
    names,
    cfg,
    (d) => d.install(cfg),
    () => cfg.dir,
  );
}

/** Starts each service unless it already answers; rewrites infra.json afterwards. */
export async function start(
  services: readonly string[] = [],
  options: InfraOptions = {},
): Promise<ServiceReport<StartOutcome>[]> {
  const cfg = resolveConfig(options);
  const names = selectServices(services);
  await mkdir(cfg.dir, { recursive: true, mode: 0o755 });
  const reports = await runEach(
    names,
    cfg,
    (d) => d.start(cfg),
    (d) => d.address(cfg),
  );
  await writeInfraFile(cfg);
  return reports;
}

/** Stops what this folder started (its pid files); everything else is "not running". */
export async function stop(
  services: readonly string[] = [],
  options: InfraOptions = {},
): Promise<ServiceReport<StopOutcome>[]> {
  const cfg = resolveConfig(options);
  const reports = await runEach(
    selectServices(services),
    cfg,
    (d) => d.stop(cfg),
    (d) => d.address(cfg),
  );
  for (const report of reports) {
    if (report.outcome !== 'not-running') continue;
    const endpoint = DRIVERS[report.service].endpoint(cfg);
    if ((await endpoint.probe(endpoint.host, endpoint.port)) === 'healthy') {
      report.message += ': one answers there, but this folder did not start it, so it was left alone';
    }
  }
  await mkdir(cfg.dir, { recursive: true, mode: 0o755 });
  await writeInfraFile(cfg);
  return reports;
}

/** One service, throwing on failure: for crash tests that restart PostgreSQL or Kafka mid-run. */
export async function startService(name: ServiceName, options: InfraOptions = {}): Promise<StartOutcome> {
  const [report] = await start([name], options);
  return unwrap(report);
}

export async function stopService(name: ServiceName, options: InfraOptions = {}): Promise<StopOutcome> {
  const [report] = await stop([name], options);
  return unwrap(report);
}

function unwrap<Outcome extends string>(report: ServiceReport<Outcome> | undefined): Outcome {
  if (report === undefined) throw new Error('no report');
  if (report.ok && report.outcome !== 'failed') return report.outcome;
  const e = report.error;
  throw new InfraError(
    (e?.code as InfraError['code'] | undefined) ?? 'INFRA_START_FAILED',
    e?.message ?? report.message,
    {
      ...(e?.logPath === undefined ? {} : { logPath: e.logPath }),
    },
  );
}

async function statusOf(driver: ServiceDriver, cfg: InfraConfig): Promise<ServiceStatus> {
  const endpoint = driver.endpoint(cfg);
  const [installed, health, pid] = await Promise.all([
    driver.isInstalled(cfg),
    endpoint.probe(endpoint.host, endpoint.port),
    driver.pid(cfg),
  ]);
  return {
    service: driver.name,
    installed,
    running: health === 'healthy',
    health,
    pid,
    host: endpoint.host,
    port: endpoint.port,
    address: driver.address(cfg),
    logPath: driver.logPath(cfg),
  };
}

export async function status(
  services: readonly string[] = [],
  options: InfraOptions = {},
): Promise<ServiceStatus[]> {
  const cfg = resolveConfig(options);
  return Promise.all(selectServices(services).map((name) => statusOf(DRIVERS[name], cfg)));
}

/** The env lines a shell or a test runner exports, built from statuses (healthy services only). */
export function envFromStatuses(statuses: readonly ServiceStatus[]): InfraEnv {
  const env: InfraEnv = {};
  for (const s of statuses) if (s.running) env[ENV_NAMES[s.service]] = s.address;
  return env;
}

let writeCount = 0;

async function writeInfraFile(cfg: InfraConfig): Promise<InfraFile> {
  const statuses = await Promise.all(SERVICE_NAMES.map((name) => statusOf(DRIVERS[name], cfg)));
  const services = {} as InfraFile['services'];
  for (const s of statuses) {
    services[s.service] = { host: s.host, port: s.port, address: s.address, running: s.running, pid: s.pid };
  }
  const file: InfraFile = {
    dir: cfg.dir,
    updatedAt: new Date().toISOString(),
    services,
    env: envFromStatuses(statuses),
  };
  // Unique per write: two starts in one process (a test and its cleanup) may overlap.
  const tmp = `${cfg.infraFilePath}.${process.pid}.${++writeCount}.tmp`;
  await writeFile(tmp, JSON.stringify(file, null, 2) + '\n');
  await rename(tmp, cfg.infraFilePath);
  return file;
}

/** <dir>/infra.json as the last start or stop wrote it; null when there is none. */
export async function readInfraFile(options: InfraOptions = {}): Promise<InfraFile | null> {
  const cfg = resolveConfig(options);
  try {
    return JSON.parse(await readFile(cfg.infraFilePath, 'utf8')) as InfraFile;
  } catch {
    return null;
  }
}
