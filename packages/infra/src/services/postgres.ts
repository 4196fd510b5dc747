/**
 * PostgreSQL 15 from Debian's postgresql-15, in a cluster of its own under <dir>/postgres. initdb
 * refuses to run as root, so as root every PostgreSQL program runs as the `postgres` user.
 */
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aptInstall } from '../apt.js';
import { HOST, type InfraConfig } from '../config.js';
import { POSTGRES_CONF_FILE, postgresConf, withPostgresInclude } from '../conf-writers.js';
import { InfraError } from '../errors.js';
import { checkPort, waitHealthy, type Endpoint } from '../lifecycle.js';
import {
  describeRun,
  isExecutableFile,
  isRoot,
  livePid,
  logTail,
  lookupUser,
  runLogged,
  terminate,
  type SystemUser,
} from '../proc.js';
import { probePostgres } from '../probe.js';
import type { ServiceDriver } from '../service.js';

/** sun_path is 108 bytes; the socket file is <dir>/.s.PGSQL.<port>. */
const MAX_SOCKET_PATH = 107;

/** The first folder on the way to `path` that `user` cannot enter, or null when all are open to it. */
export function untraversableAncestor(path: string, user: SystemUser): string | null {
  let current = dirname(path);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain) {
    let stat;
    try {
      stat = statSync(folder);
    } catch {
      return null; // not created yet: mkdir makes it 755
    }
    const mode = stat.mode;
    const canEnter =
      user.uid === 0 ||
      (stat.uid === user.uid
        ? (mode & 0o100) !== 0
        : user.groups.includes(stat.gid)
          ? (mode & 0o010) !== 0
          : (mode & 0o001) !== 0);
    if (!canEnter) return folder;
  }
  return null;
}

interface PgTools {
  initdb: string;
  pgCtl: string;
}

function tools(cfg: InfraConfig): PgTools | null {
  const initdb = join(cfg.postgres.binDir, 'initdb');
  const pgCtl = join(cfg.postgres.binDir, 'pg_ctl');
  return isExecutableFile(initdb) && isExecutableFile(pgCtl) ? { initdb, pgCtl } : null;
}

/** As root, through runuser to the postgres user; otherwise as ourselves. */
function asOwner(user: SystemUser | null, program: string, args: readonly string[]): [string, string[]] {
  return user === null ? [program, [...args]] : ['runuser', ['-u', user.name, '--', program, ...args]];
}

function owner(): SystemUser | null {
  if (!isRoot()) return null;
  const user = lookupUser('postgres');
  if (user === null) {
    throw new InfraError(
      'INFRA_NOT_INSTALLED',
      'There is no `postgres` user (postgresql-15 creates it); run `twilio-lab infra install postgres`.',
    );
  }
  return user;
}

async function giveTo(user: SystemUser | null, path: string): Promise<void> {
  if (user !== null) await chown(path, user.uid, user.gid);
}

function postmasterPidPath(cfg: InfraConfig): string {
  return join(cfg.postgres.dataDir, 'postmaster.pid');
}

async function prepareCluster(cfg: InfraConfig, pg: PgTools, user: SystemUser | null): Promise<void> {
  const p = cfg.postgres;
  await mkdir(cfg.dir, { recursive: true, mode: 0o755 });
  await mkdir(p.root, { recursive: true });
  await giveTo(user, p.root);
  await chmod(p.root, 0o700);
  if (user !== null) {
    const blocked = untraversableAncestor(p.root, user);
    if (blocked !== null) {
      throw new InfraError(
        'INFRA_DIR_NOT_TRAVERSABLE',
        `PostgreSQL runs as user postgres, which cannot enter ${blocked} (mode ` +
          `${(statSync(blocked).mode & 0o777).toString(8)}); run \`chmod o+x ${blocked}\` or choose an infra ` +
          'folder under a world-traversable path with --dir.',
      );
    }
  }
  const socketPath = join(p.root, `.s.PGSQL.${cfg.ports.postgres}`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new InfraError(
      'INFRA_START_FAILED',
      `The PostgreSQL socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; choose a shorter --dir.`,
    );
  }
  if (!existsSync(join(p.dataDir, 'PG_VERSION'))) {
    // A data folder without PG_VERSION is a broken initdb of ours: start over.
    await rm(p.dataDir, { recursive: true, force: true });
    const initLog = join(p.root, 'initdb.log');
    const [cmd, args] = asOwner(user, pg.initdb, [
      '-D',
      p.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    const result = await runLogged(cmd, args, { logPath: initLog, cwd: p.root, timeoutMs: 120_000 });
    if (result.code !== 0) {
      throw new InfraError(
        'INFRA_START_FAILED',
        `initdb failed (${describeRun(result)}); log: ${initLog}\n${logTail(initLog, 8)}`,
        { logPath: initLog },
      );
    }
  }
  const confPath = join(p.dataDir, POSTGRES_CONF_FILE);
  await writeFile(
    confPath,
    postgresConf({ host: HOST, port: cfg.ports.postgres, socketDir: p.root, sharedBuffers: p.sharedBuffers }),
  );
  await giveTo(user, confPath);
  const mainConf = join(p.dataDir, 'postgresql.conf');
  const current = await readFile(mainConf, 'utf8');
  const updated = withPostgresInclude(current);
  if (updated !== current) await writeFile(mainConf, updated);
}

export const postgres: ServiceDriver = {
  name: 'postgres',
  label: 'PostgreSQL',

  endpoint(cfg: InfraConfig): Endpoint {
    return { label: 'PostgreSQL', host: HOST, port: cfg.ports.postgres, probe: probePostgres };
  },

  address(cfg: InfraConfig): string {
    return `postgres://postgres@${HOST}:${cfg.ports.postgres}/postgres`;
  },

  logPath(cfg: InfraConfig): string {
    return cfg.postgres.logPath;
  },

  async isInstalled(cfg: InfraConfig): Promise<boolean> {
    return tools(cfg) !== null;
  },

  async install(cfg: InfraConfig) {
    if (tools(cfg) !== null) return 'already-installed';
    await aptInstall(['postgresql-15'], cfg.aptLogPath, cfg.log);
    if (tools(cfg) === null) {
      throw new InfraError(
        'INFRA_INSTALL_FAILED',
        `postgresql-15 is installed but ${cfg.postgres.binDir} has no initdb/pg_ctl; check postgresBinDir.`,
      );
    }
    return 'installed';
  },

  async start(cfg: InfraConfig) {
    const endpoint = this.endpoint(cfg);
    if ((await checkPort(endpoint, cfg.startTimeoutMs)) === 'running') return 'already-running';
    const pg = tools(cfg);
    if (pg === null) {
      throw new InfraError(
        'INFRA_NOT_INSTALLED',
        `PostgreSQL 15 is not installed (no ${cfg.postgres.binDir}/pg_ctl); run \`twilio-lab infra install postgres\`.`,
      );
    }
    const user = owner();
    const p = cfg.postgres;
    const starting = await livePid(postmasterPidPath(cfg), p.dataDir);
    if (starting === null) {
      await prepareCluster(cfg, pg, user);
      const ctlLog = join(p.root, 'pg_ctl.log');
      const seconds = String(Math.max(1, Math.round(cfg.startTimeoutMs / 1000)));
      const [cmd, args] = asOwner(user, pg.pgCtl, [
        '-D',
        p.dataDir,
        '-l',
        p.logPath,
        '-w',
        '-t',
        seconds,
        'start',
      ]);
      const result = await runLogged(cmd, args, {
        logPath: ctlLog,
        cwd: p.root,
        timeoutMs: cfg.startTimeoutMs + 10_000,
      });
      if (result.code !== 0) {
        throw new InfraError(
          'INFRA_START_FAILED',
          `pg_ctl start failed (${describeRun(result)}); log: ${p.logPath}\n${logTail(p.logPath, 10)}`,
          { logPath: p.logPath },
        );
      }
    }
    await waitHealthy(endpoint, { timeoutMs: cfg.startTimeoutMs, logPath: p.logPath, pid: undefined });
    return 'started';
  },

  async stop(cfg: InfraConfig) {
    const p = cfg.postgres;
    const pid = await livePid(postmasterPidPath(cfg), p.dataDir);
    if (pid === null) return 'not-running';
    const pg = tools(cfg);
    if (pg !== null) {
      const seconds = String(Math.max(1, Math.round(cfg.stopTimeoutMs / 1000)));
      const [cmd, args] = asOwner(owner(), pg.pgCtl, [
        '-D',
        p.dataDir,
        '-m',
        'fast',
        '-w',
        '-t',
        seconds,
        'stop',
      ]);
      const result = await runLogged(cmd, args, {
        logPath: join(p.root, 'pg_ctl.log'),
        cwd: p.root,
        timeoutMs: cfg.stopTimeoutMs + 10_000,
      });
      if (result.code === 0) return 'stopped';
    }
    // pg_ctl gave up (or is gone): fall back to signals, SIGKILL last.
    await terminate(pid, cfg.stopTimeoutMs);
    return 'stopped';
  },

  pid(cfg: InfraConfig) {
    return livePid(postmasterPidPath(cfg), cfg.postgres.dataDir);
  },
};
