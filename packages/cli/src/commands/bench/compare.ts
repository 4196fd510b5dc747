import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base-command.js';
import { CliError, EXIT } from '../../errors.js';
import { formatCompare, readSummary } from '../../bench-support.js';

export default class BenchCompare extends BaseCommand {
  static override summary = 'Compare a bench run with a baseline: the CI regression gate.';
  static override description =
    "Reads two summary.json files written by `twilio-lab bench`. Throughput is divided by each run's " +
    'calibration (a raw server measured in the same job), then per-second samples are compared with a ' +
    'Mann-Whitney U test and a minimum effect size, so noise passes and a real slowdown fails. ' +
    'Exit 0 on pass or warn, 99 on fail.';
  static override examples = [
    '<%= config.bin %> bench compare bench/baselines/ci-smoke.json .lab/bench/ci-smoke-*/summary.json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    baseline: Args.string({ description: 'summary.json of the baseline run.', required: true }),
    current: Args.string({ description: 'summary.json of the run to judge.', required: true }),
  };

  static override flags = {
    'warn-effect': Flags.string({ description: 'Relative regression that warns (default 0.05).' }),
    'fail-effect': Flags.string({ description: 'Relative regression that fails (default 0.10).' }),
    alpha: Flags.string({ description: 'Significance level of the test (default 0.05).' }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(BenchCompare);
    const { compareRuns } = await import('@twilio-lab/bench-engine');
    const baseline = await readSummary(args.baseline);
    const current = await readSummary(args.current);
    const options: Record<string, number> = {};
    for (const [flag, key] of [
      ['warn-effect', 'warnEffect'],
      ['fail-effect', 'failEffect'],
      ['alpha', 'alpha'],
    ] as const) {
      const value = flags[flag];
      if (value !== undefined) options[key] = fraction(flag, value);
    }
    const result = compareRuns(baseline.samples, current.samples, options);
    if (!this.jsonEnabled()) this.log(formatCompare(result));
    process.exitCode = result.verdict === 'fail' ? EXIT.budgetsFailed : EXIT.ok;
    return result;
  }
}

function fraction(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new CliError('INVALID_FLAG', `--${flag} must be a number between 0 and 1, got "${value}".`);
  }
  return n;
}
