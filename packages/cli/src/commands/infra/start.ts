import { Flags } from '@oclif/core';
import {
  InfraError,
  formatEnv,
  formatReports,
  readInfraFile,
  start,
  type InfraEnv,
  type ServiceReport,
  type StartOutcome,
} from '@twilio-lab/infra';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';

export interface InfraStartResult {
  services: ServiceReport<StartOutcome>[];
  env: InfraEnv;
}

export default class InfraStart extends BaseCommand {
  static override summary = 'Start the real engines on their loopback ports (idempotent).';
  static override description =
    'A service already answering on its port is left alone ("already running"). Writes <dir>/infra.json ' +
    'and prints the environment lines (DATABASE_URL, KAFKA_BROKERS, REDIS_URL, TOXIPROXY_URL, ' +
    'PROMETHEUS_URL) to export. Ports: postgres 15432, kafka 19092 (controller 19093), redis 16379, ' +
    'toxiproxy 18474, prometheus 19090; TWILIO_LAB_INFRA_PORTS="redis=26379,kafka=29092" overrides them.';
  static override examples = [
    '<%= config.bin %> infra start',
    '<%= config.bin %> infra start postgres redis',
    'eval "$(<%= config.bin %> infra start | grep ^export)"',
  ];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    dir: Flags.string({
      description: 'Folder for the engines’ files (default <project root>/.infra).',
      env: 'TWILIO_LAB_INFRA_DIR',
    }),
  };

  async run(): Promise<InfraStartResult> {
    const { argv, flags } = await this.parse(InfraStart);
    const options = flags.dir === undefined ? {} : { dir: flags.dir };
    let reports: ServiceReport<StartOutcome>[];
    try {
      reports = await start(argv.map(String), options);
    } catch (err) {
      throw usageError(err);
    }
    const env = (await readInfraFile(options))?.env ?? {};
    const failed = reports.filter((r) => !r.ok);
    if (this.jsonEnabled()) {
      if (failed.length > 0) process.exitCode = 1;
      return { services: reports, env };
    }
    const done = reports.filter((r) => r.ok);
    if (done.length > 0) this.log(formatReports(done));
    if (Object.keys(env).length > 0) this.log(formatEnv(env));
    if (failed.length > 0) {
      throw new CliError(
        'INFRA_FAILED',
        `${formatReports(failed)}\nFix the cause above (see the log named), then run \`twilio-lab infra start\` ` +
          'again; `twilio-lab infra status` shows what runs.',
      );
    }
    return { services: reports, env };
  }
}

/** Bad service names or ports are usage errors (exit 2); anything else the library throws passes on. */
function usageError(err: unknown): unknown {
  if (
    err instanceof InfraError &&
    (err.code === 'INFRA_UNKNOWN_SERVICE' || err.code === 'INFRA_INVALID_PORTS')
  ) {
    return new CliError(err.code, err.message, { cause: err });
  }
  return err;
}
