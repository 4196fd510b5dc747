/** Kafka 4.1.1 in KRaft mode (broker + controller in one JVM) from Maven Central jars. */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aptInstall } from '../apt.js';
import { HOST, type InfraConfig } from '../config.js';
import {
  DEPENDENCY_PLUGIN,
  KAFKA_CLUSTER_ID,
  KAFKA_STARTED_LINE,
  kafkaJvmArgs,
  kafkaLog4j2,
  kafkaPom,
  kafkaServerProperties,
  missingKafkaJars,
} from '../conf-writers.js';
import { InfraError } from '../errors.js';
import { checkPort, launchDetached, portTaken, stopByPidFile, type Endpoint } from '../lifecycle.js';
import { describeRun, findExecutable, livePid, logTail, runLogged } from '../proc.js';
import { portOpen, probeKafka } from '../probe.js';
import type { ServiceDriver } from '../service.js';

/** The broker's main class; its own server.properties path identifies this folder's broker. */
const MAIN_CLASS = 'kafka.Kafka';

function java(): string | null {
  return findExecutable('java', ['/usr/bin']);
}

async function missingJars(libsDir: string): Promise<string[]> {
  const names = await readdir(libsDir).catch(() => [] as string[]);
  return missingKafkaJars(names);
}

/** Whether `line` was written to the log after byte `offset` (the log is appended across runs). */
function logHasSince(path: string, offset: number, line: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const size = statSync(path).size;
    if (size <= offset) return false;
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.includes(line);
  } finally {
    closeSync(fd);
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export const kafka: ServiceDriver = {
  name: 'kafka',
  label: 'Kafka',

  endpoint(cfg: InfraConfig): Endpoint {
    return { label: 'Kafka', host: HOST, port: cfg.ports.kafka, probe: probeKafka };
  },

  address(cfg: InfraConfig): string {
    return `${HOST}:${cfg.ports.kafka}`;
  },

  logPath(cfg: InfraConfig): string {
    return cfg.kafka.logPath;
  },

  async isInstalled(cfg: InfraConfig): Promise<boolean> {
    return (await missingJars(cfg.kafka.libsDir)).length === 0 && java() !== null;
  },

  async install(cfg: InfraConfig) {
    const k = cfg.kafka;
    if ((await missingJars(k.libsDir)).length === 0 && java() !== null) return 'already-installed';
    const mvn = findExecutable('mvn', ['/usr/bin']);
    const wanted = [...(java() === null ? ['default-jre-headless'] : []), ...(mvn === null ? ['maven'] : [])];
    if (wanted.length > 0) await aptInstall(wanted, cfg.aptLogPath, cfg.log);
    if ((await missingJars(k.libsDir)).length === 0) return 'installed';
    await mkdir(k.libsDir, { recursive: true });
    await writeFile(k.pomPath, kafkaPom());
    cfg.log(`mvn ${DEPENDENCY_PLUGIN} -> ${k.libsDir}`);
    const result = await runLogged(
      findExecutable('mvn', ['/usr/bin']) ?? 'mvn',
      [
        '-q',
        '-B',
        '-f',
        k.pomPath,
        DEPENDENCY_PLUGIN,
        '-DincludeScope=runtime',
        `-DoutputDirectory=${k.libsDir}`,
      ],
      { logPath: k.mavenLogPath, cwd: k.root },
    );
    const missing = await missingJars(k.libsDir);
    if (result.code !== 0 || missing.length > 0) {
      throw new InfraError(
        'INFRA_INSTALL_FAILED',
        `Maven did not fetch the Kafka jars (${describeRun(result)}` +
          (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
          `); log: ${k.mavenLogPath}\n${logTail(k.mavenLogPath, 8)}`,
        { logPath: k.mavenLogPath },
      );
    }
    return 'installed';
  },

  async start(cfg: InfraConfig) {
    const endpoint = this.endpoint(cfg);
    const k = cfg.kafka;
    if ((await checkPort(endpoint, cfg.startTimeoutMs)) === 'running') return 'already-running';
    const ownPid = await livePid(k.pidPath, k.serverPropertiesPath);
    if (ownPid === null && (await portOpen(HOST, cfg.ports.kafkaController))) {
      throw portTaken({ ...endpoint, port: cfg.ports.kafkaController }, 'a Kafka controller of this folder');
    }
    const javaBin = java();
    const missing = await missingJars(k.libsDir);
    if (javaBin === null || missing.length > 0) {
      throw new InfraError(
        'INFRA_NOT_INSTALLED',
        `Kafka is not installed (${javaBin === null ? 'no java' : `${k.libsDir} lacks ${missing.join(', ')}`}); ` +
          'run `twilio-lab infra install kafka`.',
      );
    }
    await mkdir(k.logsDir, { recursive: true });
    await mkdir(k.dataDir, { recursive: true });
    await writeFile(k.log4jPath, kafkaLog4j2());
    await writeFile(
      k.serverPropertiesPath,
      kafkaServerProperties({
        host: HOST,
        port: cfg.ports.kafka,
        controllerPort: cfg.ports.kafkaController,
        dataDir: k.dataDir,
      }),
    );
    const classpath = ['-Dlog4j2.configurationFile=' + k.log4jPath, '-cp', `${k.libsDir}/*`];
    if (!existsSync(join(k.dataDir, 'meta.properties'))) {
      const formatLog = join(k.logsDir, 'format.log');
      const format = await runLogged(
        javaBin,
        [
          '-Xmx256M',
          ...classpath,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          KAFKA_CLUSTER_ID,
          '-c',
          k.serverPropertiesPath,
          '-g',
        ],
        { logPath: formatLog, cwd: k.root, timeoutMs: 120_000 },
      );
      if (format.code !== 0) {
        throw new InfraError(
          'INFRA_START_FAILED',
          `Formatting Kafka's storage failed (${describeRun(format)}); log: ${formatLog}\n${logTail(formatLog, 8)}`,
          { logPath: formatLog },
        );
      }
    }
    // The log is appended across runs: only a ready line written after this point counts.
    const offset = fileSize(k.logPath);
    await launchDetached({
      endpoint,
      command: javaBin,
      args: [...kafkaJvmArgs(k.heap, k.logsDir, k.log4jPath, k.libsDir), MAIN_CLASS, k.serverPropertiesPath],
      logPath: k.logPath,
      pidPath: k.pidPath,
      marker: k.serverPropertiesPath,
      timeoutMs: cfg.startTimeoutMs,
      cwd: k.root,
      ready: async () => ownPid !== null || logHasSince(k.logPath, offset, KAFKA_STARTED_LINE),
    });
    return 'started';
  },

  stop(cfg: InfraConfig) {
    // SIGTERM runs the broker's controlled shutdown; it can take a few seconds.
    return stopByPidFile(cfg.kafka.pidPath, cfg.kafka.serverPropertiesPath, cfg.stopTimeoutMs);
  },

  pid(cfg: InfraConfig) {
    return livePid(cfg.kafka.pidPath, cfg.kafka.serverPropertiesPath);
  },
};
