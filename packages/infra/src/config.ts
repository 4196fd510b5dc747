/** Options → one resolved configuration: absolute paths of every file a service uses, and its ports. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InfraError } from './errors.js';
import { DEFAULT_PORTS, type InfraOptions, type InfraPorts } from './types.js';

export const INFRA_DIR_ENV = 'TWILIO_LAB_INFRA_DIR';
/** "postgres=25432,kafka=29092": other ports without code changes (a second set of engines, tests). */
export const INFRA_PORTS_ENV = 'TWILIO_LAB_INFRA_PORTS';
export const HOST = '127.0.0.1';

export interface InfraConfig {
  dir: string;
  /** The repository root (where grafana/ lives), or the working directory outside one. */
  projectRoot: string;
  ports: InfraPorts;
  postgres: { root: string; dataDir: string; logPath: string; binDir: string; sharedBuffers: string };
  redis: { root: string; confPath: string; pidPath: string; logPath: string };
  kafka: {
    root: string;
    libsDir: string;
    pomPath: string;
    mavenLogPath: string;
    serverPropertiesPath: string;
    log4jPath: string;
    dataDir: string;
    logsDir: string;
    logPath: string;
    pidPath: string;
    heap: string;
  };
  toxiproxy: {
    root: string;
    bin: string;
    goLogPath: string;
    logPath: string;
    pidPath: string;
    configPath: string;
  };
  prometheus: {
    root: string;
    configPath: string;
    dataDir: string;
    targetsDir: string;
    logPath: string;
    pidPath: string;
  };
  aptLogPath: string;
  infraFilePath: string;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  log: (line: string) => void;
}

/** Nearest folder at or above `from` whose package.json declares workspaces; `from` when none does. */
export function findProjectRoot(from: string = process.cwd()): string {
  let current = resolve(from);
  for (;;) {
    const manifest = join(current, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces !== undefined) return current;
      } catch {
        // An unreadable package.json is not the root; keep looking upwards.
      }
    }
    const parent = dirname(current);
    if (parent === current) return resolve(from);
    current = parent;
  }
}

export function resolveConfig(options: InfraOptions = {}): InfraConfig {
  const projectRoot = findProjectRoot();
  const envDir = process.env[INFRA_DIR_ENV];
  const dir = resolve(
    options.dir ?? (envDir !== undefined && envDir !== '' ? envDir : join(projectRoot, '.infra')),
  );
  const envPorts = parsePorts(process.env[INFRA_PORTS_ENV] ?? '');
  const ports: InfraPorts = { ...DEFAULT_PORTS, ...envPorts, ...definedOnly(options.ports ?? {}) };
  const pg = join(dir, 'postgres');
  const redis = join(dir, 'redis');
  const kafka = join(dir, 'kafka');
  const toxiproxy = join(dir, 'toxiproxy');
  const prometheus = join(dir, 'prometheus');
  return {
    dir,
    projectRoot,
    ports,
    postgres: {
      root: pg,
      dataDir: join(pg, 'data'),
      logPath: join(pg, 'server.log'),
      binDir: resolve(options.postgresBinDir ?? '/usr/lib/postgresql/15/bin'),
      sharedBuffers: options.postgresSharedBuffers ?? '1GB',
    },
    redis: {
      root: redis,
      confPath: join(redis, 'redis.conf'),
      pidPath: join(redis, 'redis.pid'),
      logPath: join(redis, 'redis.log'),
    },
    kafka: {
      root: kafka,
      libsDir: resolve(options.kafkaLibsDir ?? join(kafka, 'libs')),
      pomPath: join(kafka, 'pom.xml'),
      mavenLogPath: join(kafka, 'mvn.log'),
      serverPropertiesPath: join(kafka, 'server.properties'),
      log4jPath: join(kafka, 'log4j2.properties'),
      dataDir: join(kafka, 'data'),
      logsDir: join(kafka, 'logs'),
      logPath: join(kafka, 'logs', 'server.out'),
      pidPath: join(kafka, 'kafka.pid'),
      heap: options.kafkaHeap ?? '1g',
    },
    toxiproxy: {
      root: toxiproxy,
      bin: resolve(options.toxiproxyBin ?? join(dir, 'bin', 'toxiproxy-server')),
      goLogPath: join(toxiproxy, 'go-install.log'),
      logPath: join(toxiproxy, 'toxiproxy.log'),
      pidPath: join(toxiproxy, 'toxiproxy.pid'),
      configPath: join(toxiproxy, 'proxies.json'),
    },
    prometheus: {
      root: prometheus,
      configPath: join(prometheus, 'prometheus.yml'),
      dataDir: join(prometheus, 'data'),
      targetsDir: join(prometheus, 'targets'),
      logPath: join(prometheus, 'prometheus.log'),
      pidPath: join(prometheus, 'prometheus.pid'),
    },
    aptLogPath: join(dir, 'apt.log'),
    infraFilePath: join(dir, 'infra.json'),
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
    log: options.log ?? (() => {}),
  };
}

function definedOnly(ports: Partial<InfraPorts>): Partial<InfraPorts> {
  const out: Partial<InfraPorts> = {};
  for (const [key, value] of Object.entries(ports) as [keyof InfraPorts, number | undefined][]) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Parses "name=port,name=port" (names of InfraPorts); throws INFRA_INVALID_PORTS on anything else. */
export function parsePorts(spec: string): Partial<InfraPorts> {
  const out: Partial<InfraPorts> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const port = Number(value);
    if (
      name === undefined ||
      !(name in DEFAULT_PORTS) ||
      !Number.isInteger(port) ||
      port < 1 ||
      port > 65535
    ) {
      throw new InfraError(
        'INFRA_INVALID_PORTS',
        `${INFRA_PORTS_ENV}: "${part}" is not name=port with a name among ${Object.keys(DEFAULT_PORTS).join(', ')} ` +
          'and a port from 1 to 65535.',
      );
    }
    out[name as keyof InfraPorts] = port;
  }
  return out;
}
