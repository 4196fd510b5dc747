import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import {
  formatExperimentReport,
  loadExperimentFile,
  runExperiment,
  type ExperimentReport,
} from '@twilio-lab/chaos';
import { BaseCommand, dataDirFlag } from '../../base-command.js';
import { CliError, EXIT } from '../../errors.js';
import { readStateFile } from '../../state-file.js';
import { chaosCliError, resolveToxiproxyUrl, toxiproxyUrlFlag } from './list.js';

export default class ChaosRun extends BaseCommand {
  static override summary =
    'Run a chaos experiment: steady state, fault timeline, rollback, steady state again.';
  static override description =
    'Faults are reverted when they end, when a check with abortOnFail fails, on Ctrl-C, and (by a guard process) ' +
    'if this command dies. Exit 0 when the hypothesis held, 99 when it did not, 105 when the run was cut short, ' +
    '104 for an invalid file. ${NAME}s come from --var, then the environment; a running lab (--data-dir) provides ' +
    'LAB_URL, LAB_ADMIN_TOKEN, ACCOUNT_SID and AUTH_TOKEN.';
  static override examples = [
    '<%= config.bin %> chaos run chaos/webhook-black-hole.yaml --var CALLBACK_URL=http://127.0.0.1:25000/status --var FROM=+15017122661',
    '<%= config.bin %> chaos run chaos/postgres-latency.yaml --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'Experiment file (YAML or JSON).', required: true }),
  };
  static override flags = {
    'toxiproxy-url': toxiproxyUrlFlag,
    var: Flags.string({
      description: 'NAME=VALUE for ${NAME} in the experiment (repeatable).',
      multiple: true,
    }),
    journal: Flags.string({
      description: 'NDJSON journal file (default <data-dir>/chaos/<name>-<time>.ndjson).',
    }),
    'data-dir': dataDirFlag,
    'prometheus-url': Flags.string({
      description: 'Prometheus for prometheus probes.',
      env: 'PROMETHEUS_URL',
    }),
    'control-timeout': Flags.integer({
      description: 'Timeout of every control call, ms.',
      default: 5000,
      min: 1,
    }),
  };

  async run(): Promise<ExperimentReport> {
    const { args, flags } = await this.parse(ChaosRun);
    const vars: Record<string, string> = {};
    const lab = await readStateFile(flags['data-dir']).catch(() => null);
    if (lab !== null) {
      Object.assign(vars, {
        LAB_URL: lab.baseUrl,
        LAB_ADMIN_TOKEN: lab.adminToken,
        ACCOUNT_SID: lab.accountSid,
        AUTH_TOKEN: lab.authToken,
      });
    }
    for (const pair of flags.var ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new CliError('INVALID_FLAG', `--var ${pair}: expected NAME=VALUE.`);
      vars[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        this.logToStderr(
          'Stopping: reverting the faults (Ctrl-C again to quit now; the crash guard still reverts).',
        );
        controller.abort();
      } else process.exit(EXIT.aborted);
    };
    process.on('SIGINT', onSigint);
    let report: ExperimentReport;
    try {
      const experiment = await loadExperimentFile(args.file);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      report = await runExperiment(experiment, {
        toxiproxyUrl: await resolveToxiproxyUrl(flags['toxiproxy-url']),
        vars,
        signal: controller.signal,
        journalPath: flags.journal ?? join(flags['data-dir'], 'chaos', `${experiment.name}-${stamp}.ndjson`),
        controlTimeoutMs: flags['control-timeout'],
        ...(flags['prometheus-url'] === undefined ? {} : { prometheusUrl: flags['prometheus-url'] }),
      });
    } catch (err) {
      throw chaosCliError(err);
    } finally {
      process.off('SIGINT', onSigint);
    }
    this.log(formatExperimentReport(report));
    process.exitCode = report.held
      ? EXIT.ok
      : report.outcome === 'aborted'
        ? EXIT.aborted
        : EXIT.budgetsFailed;
    return report;
  }
}
