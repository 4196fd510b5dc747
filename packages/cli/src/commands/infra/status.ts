import { Flags } from '@oclif/core';
import { InfraError, formatStatuses, status, type ServiceStatus } from '@twilio-lab/infra';
import { BaseCommand } from '../../base-command.js';
import { CliError } from '../../errors.js';

export default class InfraStatus extends BaseCommand {
  static override summary = 'Show, per engine: installed, running, pid, address.';
  static override description =
    '"running" means the engine answers its own protocol on its port, whoever started it; a pid is shown ' +
    'only for what this folder started.';
  static override examples = ['<%= config.bin %> infra status', '<%= config.bin %> infra status --json'];
  static override strict = false;
  static override enableJsonFlag = true;
  static override flags = {
    dir: Flags.string({
      description: 'Folder for the engines’ files (default <project root>/.infra).',
      env: 'TWILIO_LAB_INFRA_DIR',
    }),
  };

  async run(): Promise<ServiceStatus[]> {
    const { argv, flags } = await this.parse(InfraStatus);
    let statuses: ServiceStatus[];
    try {
      statuses = await status(argv.map(String), flags.dir === undefined ? {} : { dir: flags.dir });
    } catch (err) {
      throw usageError(err);
    }
    this.log(formatStatuses(statuses));
    return statuses;
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
