import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import type * as LabModule from '@twilio-lab/lab';
import type { LabInfo, RunningLab } from '@twilio-lab/lab';
import type * as TopologyModule from '@twilio-lab/topology';
import type { RunningTopology } from '@twilio-lab/topology';
import { BaseCommand, dataDirFlag } from '../base-command.js';
import { CliError, EXIT } from '../errors.js';
import { labOptionsFromFlags } from '../flags.js';
import { formatLabInfo } from '../format.js';
import { removeState, statePath, writeState } from '../state-file.js';

const DRAIN_MS = 10_000;

/** The flags the topology path reads (a subset of Up's). */
interface TopologyFlags {
  port: number;
  host: string;
  'data-dir': string;
  'account-sid'?: string | undefined;
  'auth-token'?: string | undefined;
  'admin-token'?: string | undefined;
  'rate-limit'?: number | undefined;
  log: 'silent' | 'info' | 'debug';
}

export default class Up extends BaseCommand {
  static override summary = 'Start an embedded lab: gateway, one cell, carriers, all in this process.';
  static override description =
    'Runs until Ctrl-C (or SIGTERM), then stops taking requests and drains in-flight work for up to 10 s. ' +
    'Writes <data-dir>/state.json so that `status`, `handset`, `webhooks` and `carriers` find it.';
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --port 0 --ephemeral --json',
    '<%= config.bin %> up --profile realistic --carriers carriers.yaml',
    '<%= config.bin %> infra start && <%= config.bin %> up --backend real',
    '<%= config.bin %> up -t topologies/two-regions.yaml',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    topology: Flags.file({
      char: 't',
      description:
        'Topology file (topologies/*.yaml): run the gateway and every cell as supervised processes instead ' +
        'of the embedded lab. Writes <data-dir>/topology-state.json for `status`, `down` and `logs`.',
      exists: true,
      exclusive: ['ephemeral', 'backend', 'carriers'],
    }),
    port: Flags.integer({
      description: 'Gateway port (0 picks a free one).',
      default: 3000,
      env: 'PORT',
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'Interface to listen on.', default: '127.0.0.1' }),
    'data-dir': dataDirFlag,
    ephemeral: Flags.boolean({
      description: 'Keep everything in memory: nothing survives a restart.',
      default: false,
      exclusive: ['backend'],
    }),
    backend: Flags.option({
      description:
        'embedded: SQLite and in-process queues, nothing to install. real: PostgreSQL, Kafka and Redis ' +
        '(`twilio-lab infra start`, docker compose, or DATABASE_URL / KAFKA_BROKERS / REDIS_URL).',
      options: ['embedded', 'real'] as const,
      default: 'embedded',
    })(),
    namespace: Flags.string({
      description:
        "With --backend real: prefix of this lab's schemas, topics and keys on the shared engines.",
      default: 'lab',
    }),
    'account-sid': Flags.string({
      description: 'Bootstrap account SID (generated when absent).',
      env: 'TWILIO_ACCOUNT_SID',
    }),
    'auth-token': Flags.string({
      description: 'Bootstrap auth token (generated when absent).',
      env: 'TWILIO_AUTH_TOKEN',
    }),
    'admin-token': Flags.string({
      description: 'Lab control API token (generated when absent).',
      env: 'TWILIO_LAB_ADMIN_TOKEN',
    }),
    profile: Flags.option({
      description: 'Sender throughput profile.',
      options: ['lab', 'realistic'] as const,
      default: 'lab',
    })(),
    carriers: Flags.file({
      description: 'Carriers config (JSON or YAML); the built-in US/EU set when absent.',
      exists: true,
    }),
    'rate-limit': Flags.integer({
      description: 'Per-account API requests per second (burst is twice that).',
      min: 1,
    }),
    log: Flags.option({
      description: 'Log level.',
      options: ['silent', 'info', 'debug'] as const,
      default: 'info',
    })(),
  };

  /** One line per JSON document (LabInfo, or an error), so a parent process can read it line by line. */
  protected override logJson(json: unknown): void {
    process.stdout.write(JSON.stringify(json) + '\n');
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Up);
    if (flags.topology !== undefined) return this.runTopology(flags.topology, flags);
    const options = labOptionsFromFlags(flags);
    const dataDir = flags['data-dir'];

    // Loaded here, not at the top: `twilio-lab --help` should not open SQLite and uWS.
    const { startLab } = await loadLab();
    let lab: RunningLab;
    try {
      lab = await startLab(options);
    } catch (err) {
      throw startError(err, flags.port);
    }
    const stopping = waitForStopSignal(dataDir);
    await writeState(dataDir, lab.info);
    const scrapeTarget = await registerWithPrometheus(lab.info.port);

    if (this.jsonEnabled()) {
      this.logJson(lab.info);
    } else {
      this.log(formatLabInfo(lab.info));
    }

    const signal = await stopping;
    this.logToStderr(`${signal}: draining in-flight work (up to ${DRAIN_MS / 1000} s)…`);
    try {
      await lab.close(DRAIN_MS);
    } finally {
      await scrapeTarget?.remove().catch(() => undefined);
      await removeState(dataDir);
    }
    this.logToStderr('The lab stopped.');
    // Something left open (a client's keep-alive socket, a stray timer) must not keep us alive.
    setTimeout(() => process.exit(EXIT.ok), 2_000).unref();
  }

  /** `up -t FILE`: the supervisor runs in this process; it stays up until Ctrl-C / SIGTERM / `down`. */
  private async runTopology(file: string, flags: TopologyFlags): Promise<void> {
    const topologyModule = await loadTopology();
    const dataDir = flags['data-dir'];
    // --port (or PORT) given explicitly wins over the file's ports.gateway; its default does not.
    const portGiven =
      this.argv.some((a) => a === '--port' || a.startsWith('--port=')) || process.env.PORT !== undefined;
    let running: RunningTopology;
    try {
      running = await topologyModule.startTopology({
        file,
        dataDir,
        host: flags.host,
        ...(portGiven ? { port: flags.port } : {}),
        ...(flags['account-sid'] === undefined ? {} : { accountSid: flags['account-sid'] }),
        ...(flags['auth-token'] === undefined ? {} : { authToken: flags['auth-token'] }),
        ...(flags['admin-token'] === undefined ? {} : { adminToken: flags['admin-token'] }),
        ...(flags['rate-limit'] === undefined
          ? {}
          : { rateLimit: { ratePerSec: flags['rate-limit'], burst: flags['rate-limit'] * 2 } }),
        log: flags.log,
      });
    } catch (err) {
      throw topologyStartError(err);
    }
    const stopping = waitForTopologyStop(running);
    const state = running.state();
    // The embedded lab's state file too, so `handset`, `webhooks` and `carriers` reach the
    // gateway (whose lab control API fans out to the cells) without knowing about topologies.
    const info: LabInfo = {
      baseUrl: state.gateway.url,
      port: state.gateway.port,
      accountSid: state.accountSid,
      authToken: state.authToken,
      adminToken: state.adminToken,
      dataDir: state.dataDir,
      backend: state.cells.some((c) => c.backends === 'real') ? 'real' : 'embedded',
      engines: null,
      pid: process.pid,
      startedAt: state.startedAt,
      carriers: [],
    };
    await writeState(dataDir, info);
    if (this.jsonEnabled()) this.logJson(state);
    else this.log(topologyModule.formatTopologyStarted(state));

    const signal = await stopping;
    this.logToStderr(`${signal}: draining the gateway, then stopping the cells…`);
    try {
      await running.stop();
    } finally {
      await removeState(dataDir);
    }
    this.logToStderr('The topology stopped.');
    setTimeout(() => process.exit(EXIT.ok), 2_000).unref();
  }
}

async function loadTopology(): Promise<typeof TopologyModule> {
  try {
    return await import('@twilio-lab/topology');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(
      'LAB_START_FAILED',
      `The topology package could not be loaded (${message}); build it with \`npm run build\`.`,
      { cause: err },
    );
  }
}

/** First SIGINT/SIGTERM: graceful down. A second one: SIGKILL every process and exit at once. */
function waitForTopologyStop(running: RunningTopology): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        running.kill();
        process.exit(EXIT.aborted);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function topologyStartError(err: unknown): CliError {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.code === 'CONFIG_INVALID') return new CliError('TOPOLOGY_INVALID', message, { cause: err });
  if (e.code === 'TOPOLOGY_FILE_UNREADABLE') return new CliError('TOPOLOGY_INVALID', message, { cause: err });
  return new CliError('LAB_START_FAILED', message, { cause: err });
}

/**
 * When `twilio-lab infra` set Prometheus up (its file_sd targets folder exists), the lab's
 * /metrics becomes a scrape target until the lab stops; otherwise nothing is written.
 */
async function registerWithPrometheus(port: number): Promise<{ remove(): Promise<void> } | undefined> {
  const { resolveConfig } = await import('@twilio-lab/infra');
  const infraDir = resolveConfig({}).dir;
  if (!existsSync(join(infraDir, 'prometheus', 'targets'))) return undefined;
  const { writePrometheusTarget } = await import('@twilio-lab/metrics');
  return writePrometheusTarget(infraDir, `lab-${port}`, `127.0.0.1:${port}`, { process: 'lab' });
}

async function loadLab(): Promise<typeof LabModule> {
  try {
    return await import('@twilio-lab/lab');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(
      'LAB_START_FAILED',
      `The lab package could not be loaded (${message}); build it with \`npm run build\`.`,
      { cause: err },
    );
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once (EXIT.aborted). */
function waitForStopSignal(dataDir: string): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        rmSync(statePath(dataDir), { force: true });
        process.exit(EXIT.aborted);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function startError(err: unknown, port: number): CliError {
  const e = err as { code?: unknown; message?: unknown };
  if (
    e.code === 'EADDRINUSE' ||
    (typeof e.message === 'string' && /EADDRINUSE|address in use/i.test(e.message))
  ) {
    return new CliError(
      'LAB_START_FAILED',
      `Port ${port} is already in use; stop what listens there or pick another with --port (0 picks a free one).`,
      { cause: err },
    );
  }
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
  return new CliError('LAB_START_FAILED', `The lab did not start: ${message}${code}`, { cause: err });
}
