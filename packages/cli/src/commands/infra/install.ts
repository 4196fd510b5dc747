import { Flags } from '@oclif/core';
import {
  InfraError,
  formatReports,
  install,
  type InstallOutcome,
  type ServiceReport,
} from '@twilio-lab/infra';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';

export default class InfraInstall extends BaseCommand {
  static override summary =
    'Install the real engines (PostgreSQL 15, Kafka 4.1, Redis 7, Toxiproxy, Prometheus).';
  static override description =
    'Idempotent: installs only what is missing. Debian packages through apt-get (needs root), Kafka jars ' +
    'through Maven into <dir>/kafka/libs, Toxiproxy through `go install` into <dir>/bin. Services are ' +
    'named as arguments (all when none): postgres, kafka, redis, toxiproxy, prometheus.';
  static override examples = [
    '<%= config.bin %> infra install',
    '<%= config.bin %> infra install kafka toxiproxy',
  ];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    dir: Flags.string({
      description: 'Folder for the engines’ files (default <project root>/.infra).',
      env: 'TWILIO_LAB_INFRA_DIR',
    }),
  };

  async run(): Promise<ServiceReport<InstallOutcome>[]> {
    const { argv, flags } = await this.parse(InfraInstall);
    let reports: ServiceReport<InstallOutcome>[];
    try {
      reports = await install(argv.map(String), {
        ...(flags.dir === undefined ? {} : { dir: flags.dir }),
        log: (line) => this.logToStderr(`  ${line}`),
      });
    } catch (err) {
      throw usageError(err);
    }
    const failed = reports.filter((r) => !r.ok);
    if (this.jsonEnabled()) {
      // The per-service reports are the answer, failures included; the exit code still says so.
      if (failed.length > 0) process.exitCode = 1;
      return reports;
    }
    const done = reports.filter((r) => r.ok);
    if (done.length > 0) this.log(formatReports(done));
    if (failed.length > 0) {
      throw new CliError(
        'INFRA_FAILED',
        `${formatReports(failed)}\nFix the cause above, then run \`twilio-lab infra install\` again.`,
      );
    }
    return reports;
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
