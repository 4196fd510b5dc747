/** Redis 7 from Debian's redis-server: daemonized, AOF on (fsync every second). */
import { mkdir, writeFile } from 'node:fs/promises';
import { aptInstall } from '../apt.js';
import { HOST, type InfraConfig } from '../config.js';
import { redisConf } from '../conf-writers.js';
import { InfraError } from '../errors.js';
import { checkPort, waitHealthy, type Endpoint } from '../lifecycle.js';
import { describeRun, findExecutable, livePid, logTail, removeFile, runLogged, terminate } from '../proc.js';
import { probeRedis } from '../probe.js';
import type { ServiceDriver } from '../service.js';

const PROCESS_MARKER = 'redis-server';

function redisServer(): string | null {
  return findExecutable('redis-server', ['/usr/bin', '/usr/local/bin']);
}

export const redis: ServiceDriver = {
  name: 'redis',
  label: 'Redis',

  endpoint(cfg: InfraConfig): Endpoint {
    return { label: 'Redis', host: HOST, port: cfg.ports.redis, probe: probeRedis };
  },

  address(cfg: InfraConfig): string {
    return `redis://${HOST}:${cfg.ports.redis}`;
  },

  logPath(cfg: InfraConfig): string {
    return cfg.redis.logPath;
  },

  async isInstalled(): Promise<boolean> {
    return redisServer() !== null;
  },

  async install(cfg: InfraConfig) {
    if (redisServer() !== null) return 'already-installed';
    await aptInstall(['redis-server'], cfg.aptLogPath, cfg.log);
    return 'installed';
  },

  async start(cfg: InfraConfig) {
    const endpoint = this.endpoint(cfg);
    if ((await checkPort(endpoint, cfg.startTimeoutMs)) === 'running') return 'already-running';
    const program = redisServer();
    if (program === null) {
      throw new InfraError(
        'INFRA_NOT_INSTALLED',
        'redis-server is not installed; run `twilio-lab infra install redis`.',
      );
    }
    const r = cfg.redis;
    await mkdir(r.root, { recursive: true });
    await writeFile(
      r.confPath,
      redisConf({ host: HOST, port: cfg.ports.redis, dir: r.root, pidPath: r.pidPath, logPath: r.logPath }),
    );
    // With daemonize yes the foreground process exits as soon as the server has forked.
    const launch = await runLogged(program, [r.confPath], {
      logPath: r.logPath,
      cwd: r.root,
      timeoutMs: 30_000,
    });
    if (launch.code !== 0) {
      throw new InfraError(
        'INFRA_START_FAILED',
        `redis-server did not start (${describeRun(launch)}); log: ${r.logPath}\n${logTail(r.logPath)}`,
        { logPath: r.logPath },
      );
    }
    const pid = (await livePid(r.pidPath, PROCESS_MARKER)) ?? undefined;
    await waitHealthy(endpoint, { timeoutMs: cfg.startTimeoutMs, logPath: r.logPath, pid });
    return 'started';
  },

  async stop(cfg: InfraConfig) {
    const pid = await livePid(cfg.redis.pidPath, PROCESS_MARKER);
    if (pid === null) return 'not-running';
    // SIGTERM makes Redis flush the AOF, write its snapshot and remove its pid file.
    await terminate(pid, cfg.stopTimeoutMs);
    await removeFile(cfg.redis.pidPath);
    return 'stopped';
  },

  pid(cfg: InfraConfig) {
    return livePid(cfg.redis.pidPath, PROCESS_MARKER);
  },
};
