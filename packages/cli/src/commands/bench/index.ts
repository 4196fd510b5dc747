import { Args, Flags } from '@oclif/core';
import type * as BenchEngine from '@twilio-lab/bench-engine';
import type { BenchOutcome, BenchProgress, TargetPlan } from '@twilio-lab/bench-engine';
import { BaseCommand } from '../../base-command.js';
import { CliError, EXIT } from '../../errors.js';
import {
  benchOutDir,
  formatProgress,
  readSummary,
  startLabProcess,
  verdictLines,
} from '../../bench-support.js';

export default class Bench extends BaseCommand {
  static override summary = 'Drive load from a scenario file and check its latency budgets.';
  static override description =
    'With no lab running (or no --url), starts the embedded lab itself and stops it after. Arrivals are ' +
    'scheduled at their intended times (open model) and latency is measured from them, so a slow lab ' +
    'cannot hide its queueing. Writes summary.json, timeseries.ndjson, report.html and junit.xml to --out. ' +
    'Exit codes: 0 all budgets met, 99 a budget, the reconciliation or the rate attainment failed, ' +
    '104 invalid scenario, 105 aborted (abortOnFail or Ctrl-C).';
  static override examples = [
    '<%= config.bin %> bench scenarios/sms-storm.yaml',
    '<%= config.bin %> bench scenarios/ci-smoke.yaml --baseline bench/baselines/ci-smoke.json',
    '<%= config.bin %> bench scenarios/sms-storm.yaml --url http://127.0.0.1:3000 --out results/storm',
  ];

  static override enableJsonFlag = true;

  static override args = {
    file: Args.string({ description: 'Scenario file (YAML).', required: true }),
  };

  static override flags = {
    out: Flags.string({ description: 'Folder for the reports (default .lab/bench/<scenario>-<time>).' }),
    url: Flags.string({
      description:
        'Base URL of a running lab (with --account-sid and --auth-token); else the embedded lab is started.',
      env: 'TWILIO_LAB_URL',
    }),
    'account-sid': Flags.string({ description: 'Account to run as, with --url.', env: 'TWILIO_ACCOUNT_SID' }),
    'auth-token': Flags.string({ description: 'Its auth token, with --url.', env: 'TWILIO_AUTH_TOKEN' }),
    'admin-token': Flags.string({
      description: 'The lab control API token, with --url (flows that read the simulated handsets need it).',
      env: 'TWILIO_LAB_ADMIN_TOKEN',
    }),
    baseline: Flags.file({
      description: 'A summary.json to compare with (the CI regression gate): a real regression exits 99.',
      exists: true,
    }),
    'warn-effect': Flags.string({
      description: 'With --baseline: relative regression that warns when significant (default 0.05).',
      dependsOn: ['baseline'],
    }),
    'fail-effect': Flags.string({
      description: 'With --baseline: relative regression that fails when significant (default 0.10).',
      dependsOn: ['baseline'],
    }),
    workers: Flags.integer({ description: 'Load-generating worker threads (default: cores - 1).', min: 1 }),
    calibrate: Flags.boolean({
      description: 'Measure a raw-server calibration first, so throughput compares across machines.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Bench);
    const engine = await loadEngine();
    let scenario: BenchEngine.Scenario;
    try {
      scenario = await engine.loadScenarioFile(args.file);
    } catch (err) {
      throw asCliError(engine, err);
    }
    const target = targetFromFlags(flags);
    if (scenario.lab.mode === 'url' && target === undefined && scenario.lab.url !== undefined) {
      throw new CliError(
        'SCENARIO_INVALID',
        `${scenario.source} runs against ${scenario.lab.url}: give --account-sid and --auth-token (or TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN).`,
      );
    }
    const out = flags.out ?? benchOutDir(scenario.name);
    const tty = process.stderr.isTTY === true && !this.jsonEnabled();
    let lastPlain = 0;
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    let outcome: BenchOutcome;
    try {
      outcome = await engine.runScenario(scenario, {
        ...(target === undefined ? {} : { target }),
        outDir: out,
        ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        calibrate: flags.calibrate,
        signal: controller.signal,
        // In its own process, as a user's lab would be: the generator and the sink must not
        // share an event loop with the system they measure.
        startLab: (options) => startLabProcess(options),
        onLine: (line) => this.logToStderr(line),
        onProgress: (p: BenchProgress) => {
          if (tty) process.stderr.write(`\r${formatProgress(scenario.name, p)}\u001b[K`);
          else if (p.elapsedMs - lastPlain >= 5_000) {
            lastPlain = p.elapsedMs;
            this.logToStderr(formatProgress(scenario.name, p));
          }
        },
      });
    } catch (err) {
      throw asCliError(engine, err);
    } finally {
      process.off('SIGINT', onSigint);
      if (tty) process.stderr.write('\n');
    }

    let compared: BenchEngine.CompareResult | undefined;
    if (flags.baseline !== undefined) {
      const baseline = await readSummary(flags.baseline);
      compared = engine.compareRuns(baseline.samples, outcome.summary.samples, {
        ...(flags['warn-effect'] === undefined
          ? {}
          : { warnEffect: fraction('warn-effect', flags['warn-effect']) }),
        ...(flags['fail-effect'] === undefined
          ? {}
          : { failEffect: fraction('fail-effect', flags['fail-effect']) }),
      });
    }
    if (!this.jsonEnabled()) {
      this.log(outcome.table);
      this.log('');
      for (const line of verdictLines(outcome, compared)) this.log(line);
      this.log(`reports: ${outcome.files.join(', ')}`);
    }
    const exit =
      outcome.exitCode !== EXIT.ok
        ? outcome.exitCode
        : compared?.verdict === 'fail'
          ? EXIT.budgetsFailed
          : EXIT.ok;
    process.exitCode = exit;
    return { exitCode: exit, summary: outcome.summary, compare: compared ?? null, files: outcome.files };
  }
}

function fraction(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new CliError('INVALID_FLAG', `--${flag} must be a number between 0 and 1, got "${value}".`);
  }
  return n;
}

async function loadEngine(): Promise<typeof BenchEngine> {
  return import('@twilio-lab/bench-engine');
}

function targetFromFlags(flags: {
  url?: string;
  'account-sid'?: string;
  'auth-token'?: string;
  'admin-token'?: string;
}): TargetPlan | undefined {
  if (flags.url === undefined) return undefined;
  const accountSid = flags['account-sid'];
  const authToken = flags['auth-token'];
  if (accountSid === undefined || authToken === undefined) {
    throw new CliError(
      'INVALID_FLAG',
      '--url needs --account-sid and --auth-token (or TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): the account the load runs as.',
    );
  }
  const adminToken = flags['admin-token'];
  return { baseUrl: flags.url, accountSid, authToken, ...(adminToken === undefined ? {} : { adminToken }) };
}

/** Scenario problems (bad file, unbuilt flow, unsupported setup) exit 104 and say what to change. */
function asCliError(engine: typeof BenchEngine, err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof engine.ScenarioError) {
    return new CliError('SCENARIO_INVALID', err.message, { cause: err });
  }
  if (
    err instanceof engine.BenchRuntimeError &&
    ['FLOW_UNAVAILABLE', 'FLOW_UNKNOWN', 'FLOW_INVALID', 'PLAN_INVALID'].includes(err.code)
  ) {
    return new CliError('SCENARIO_INVALID', `${err.message}${err.path ? ` (at ${err.path})` : ''}`, {
      cause: err,
    });
  }
  if (err instanceof engine.BenchSetupError)
    return new CliError('SCENARIO_INVALID', err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new CliError('BENCH_FAILED', `The bench run failed: ${message}`, { cause: err });
}
