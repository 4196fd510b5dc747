import { Flags } from '@oclif/core';
import { InfraError, formatReports, stop, type ServiceReport, type StopOutcome } from '@twilio-lab/infra';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';

export default class InfraStop extends BaseCommand {
  static override summary = 'Stop the engines this folder started.';
  static override description =
    'Graceful: pg_ctl stop -m fast for PostgreSQL, SIGTERM for the others, SIGKILL after 30 s. Engines ' +
    'started by something else (no pid file in <dir>) are left alone and reported "not running".';
  static override examples = ['<%= config.bin %> infra stop', '<%= config.bin %> infra stop kafka'];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    dir: Flags.string({
      description: 'Folder for the engines’ files (default <project root>/.infra).',
      env: 'TWILIO_LAB_INFRA_DIR',
    }),
  };

  async run(): Promise<ServiceReport<StopOutcome>[]> {
    const { argv, flags } = await this.parse(InfraStop);
    let reports: ServiceReport<StopOutcome>[];
    try {
      reports = await stop(argv.map(String), flags.dir === undefined ? {} : { dir: flags.dir });
    } catch (err) {
      throw usageError(err);
    }
    const failed = reports.filter((r) => !r.ok);
    if (this.jsonEnabled()) {
      if (failed.length > 0) process.exitCode = 1;
      return reports;
    }
    const done = reports.filter((r) => r.ok);
    if (done.length > 0) this.log(formatReports(done));
    if (failed.length > 0) {
      throw new CliError(
        'INFRA_FAILED',
        `${formatReports(failed)}\nRun \`twilio-lab infra status\` to see what still runs.`,
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
