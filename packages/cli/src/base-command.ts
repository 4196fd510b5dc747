/**
 * What the commands that talk to a running lab share: where to find it (`--data-dir` state file,
 * or `--url` + `--admin-token`), JSON output, and mapping errors to exit codes.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { CliError, EXIT } from './errors.js';
import { LabApi } from './lab-api.js';
import { requireRunningLab } from './state-file.js';

export const dataDirFlag = Flags.string({
  description: 'Folder of the lab (its state file says where it listens).',
  default: '.lab',
});

/** Base of every command: CliErrors become oclif errors with their exit code and stable code. */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Interfaces.CommandError): Promise<unknown> {
    // Usage errors must exit 2 with --json too: oclif's JSON path only reads `exitCode`.
    const oclifExit = (err as Partial<Interfaces.OclifError>).oclif?.exit;
    const exit = err instanceof CliError ? err.exitCode : (oclifExit ?? err.exitCode ?? EXIT.error);
    process.exitCode ??= exit;
    if (err instanceof CliError) {
      const oclifError = Object.assign(new Error(err.message), {
        code: err.code,
        oclif: { exit },
        ...(err.twilioCode === undefined ? {} : { twilioCode: err.twilioCode }),
      });
      return super.catch(oclifError as Interfaces.CommandError);
    }
    return super.catch(err);
  }

  protected override toErrorJson(err: unknown): unknown {
    const e = err as { message?: unknown; code?: unknown; twilioCode?: unknown };
    return {
      error: {
        code:
          typeof e.code === 'string' ? e.code : process.exitCode === EXIT.usage ? 'INVALID_USAGE' : 'ERROR',
        message: typeof e.message === 'string' ? e.message : String(err),
        ...(typeof e.twilioCode === 'number' ? { twilio_code: e.twilioCode } : {}),
      },
    };
  }
}

export abstract class LabCommand extends BaseCommand {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'data-dir': dataDirFlag,
    url: Flags.string({
      description: 'Base URL of the lab; overrides the state file (with --admin-token).',
      env: 'TWILIO_LAB_URL',
      dependsOn: ['admin-token'],
    }),
    'admin-token': Flags.string({
      description: 'Lab control API token (printed by `twilio-lab up`).',
      env: 'TWILIO_LAB_ADMIN_TOKEN',
    }),
  };

  /** The API of the lab the flags point at; throws LAB_NOT_RUNNING when there is none. */
  protected async labApi(flags: {
    'data-dir': string;
    url?: string | undefined;
    'admin-token'?: string | undefined;
  }): Promise<LabApi> {
    if (flags.url !== undefined && flags['admin-token'] !== undefined) {
      return new LabApi(flags.url, flags['admin-token']);
    }
    const info = await requireRunningLab(flags['data-dir']);
    return new LabApi(info.baseUrl, flags['admin-token'] ?? info.adminToken);
  }
}
