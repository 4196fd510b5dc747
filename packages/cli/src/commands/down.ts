import { Flags } from '@oclif/core';
import { BaseCommand, dataDirFlag } from '../base-command.js';
import { CliError } from '../errors.js';
import { isProcessAlive, readStateFile, removeState } from '../state-file.js';

export interface DownReport {
  stopped: 'topology' | 'lab' | 'nothing';
  topology: string | null;
  via: string;
  killed: string[];
}

export default class Down extends BaseCommand {
  static override summary = 'Stop the lab or topology running in --data-dir: drain, then stop.';
  static override description =
    'A topology (`up -t`): SIGTERM to its supervisor, which drains the gateway and stops it, then stops the cells; ' +
    'if the supervisor is gone, the recorded processes are stopped in the same order. An embedded lab (`up`): ' +
    'SIGTERM, which drains in-flight work. Whatever is still alive after --timeout is killed.';
  static override examples = ['<%= config.bin %> down', '<%= config.bin %> down --data-dir /tmp/lab --json'];
  static override enableJsonFlag = true;

  static override flags = {
    'data-dir': dataDirFlag,
    timeout: Flags.integer({
      description: 'Seconds to wait before killing what is left.',
      default: 30,
      min: 1,
    }),
  };

  async run(): Promise<DownReport> {
    const { flags } = await this.parse(Down);
    const dataDir = flags['data-dir'];
    const timeoutMs = flags.timeout * 1000;
    const { downTopology } = await import('@twilio-lab/topology');
    const result = await downTopology(dataDir, timeoutMs);
    if (result.via !== 'none') {
      await removeState(dataDir, (await readStateFile(dataDir).catch(() => null))?.pid ?? process.pid);
      const report: DownReport = {
        stopped: 'topology',
        topology: result.topology,
        via: result.via,
        killed: result.killed,
      };
      this.log(
        `Topology '${result.topology}' stopped` +
          (result.killed.length > 0 ? `; killed after ${flags.timeout} s: ${result.killed.join(', ')}` : '.'),
      );
      return report;
    }

    const lab = await readStateFile(dataDir);
    if (lab === null || !isProcessAlive(lab.pid)) {
      this.log(`Nothing is running in ${dataDir}.`);
      return { stopped: 'nothing', topology: null, via: 'none', killed: [] };
    }
    try {
      process.kill(lab.pid, 'SIGTERM');
    } catch (err) {
      throw new CliError(
        'DOWN_FAILED',
        `Could not signal the lab (pid ${lab.pid}): ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const deadline = Date.now() + timeoutMs;
    while (isProcessAlive(lab.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const killed: string[] = [];
    if (isProcessAlive(lab.pid)) {
      process.kill(lab.pid, 'SIGKILL');
      killed.push('lab');
      await removeState(dataDir, lab.pid);
    }
    this.log(
      killed.length > 0
        ? `The lab did not stop within ${flags.timeout} s and was killed.`
        : 'The lab stopped.',
    );
    return { stopped: 'lab', topology: null, via: 'signal', killed };
  }
}
