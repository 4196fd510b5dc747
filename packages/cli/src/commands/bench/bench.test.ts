// `twilio-lab bench …` end to end: the real bin/run.js in a child process, with its exit codes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twilio-lab-cli-bench-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 120_000, cwd: dir }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: stderr.replace(/\s+/g, ' ') });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('an invalid scenario exits 104 and names every problem with its path', async () => {
  const path = file(
    'bad.yaml',
    'name: bad\nscenarios:\n  s:\n    executor: constant-arrival-rate\n    rate: lots\n    duraton: 5s\n    flow: http\n',
  );
  const run = await cli(['bench', path]);
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /scenarios\.s\.rate/);
  assert.match(run.stderr, /duraton/);
});

test('a flow whose product does not exist yet exits 104 before any load', async () => {
  const run = await cli([
    'bench',
    fileURLToPath(new URL('../../../../../scenarios/room-50.yaml', import.meta.url)),
  ]);
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /Video product/);
  assert.doesNotMatch(run.stderr, /started an embedded lab/);
});

test('a small run on the embedded lab passes (exit 0), writes its reports, and compares with itself', async () => {
  const path = file(
    'tiny.yaml',
    [
      'name: tiny',
      'scenarios:',
      '  steady:',
      '    executor: constant-arrival-rate',
      '    rate: 30',
      '    timeUnit: 1s',
      '    duration: 3s',
      '    preAllocatedVUs: 5',
      '    flow: sms.send',
      "    with: { from: '+15017122661', to: '+15558670001' }",
      'thresholds:',
      "  messages_lost: ['count==0']",
      "  sms_accept_duration: ['p(99)<5000']",
      '',
    ].join('\n'),
  );
  const out = join(dir, 'out');
  const run = await cli(['bench', path, '--out', out, '--no-calibrate']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /PASSED/);
  assert.match(run.stdout, /✓ reconciliation/);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
    extra: { reconciliation: { accepted: number } };
  };
  assert.equal(summary.extra.reconciliation.accepted, 90);
  assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<testsuite/);

  const same = await cli(['bench', 'compare', join(out, 'summary.json'), join(out, 'summary.json')]);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /compare with baseline: PASS/);
});

test('bench compare fails (99) on a real slowdown and passes noise', async () => {
  const summary = (throughput: number[], p99: number[]) =>
    JSON.stringify({
      version: 1,
      samples: { throughputPerSecond: throughput, p99PerWindowMs: p99, calibrationThroughput: 50_000 },
    });
  const base = Array.from({ length: 20 }, (_, i) => 2000 + ((i * 37) % 60));
  const baseline = file(
    'base.json',
    summary(
      base,
      base.map((v) => v / 200),
    ),
  );
  const noisy = file(
    'noisy.json',
    summary(
      base.map((v, i) => v * (1 + ((i % 5) - 2) / 100)),
      base.map((v) => v / 200),
    ),
  );
  const slow = file(
    'slow.json',
    summary(
      base.map((v) => v * 0.7),
      base.map((v) => v / 140),
    ),
  );
  assert.equal((await cli(['bench', 'compare', baseline, noisy])).code, 0);
  const failed = await cli(['bench', 'compare', baseline, slow]);
  assert.equal(failed.code, 99, failed.stdout);
  assert.match(failed.stdout, /FAIL/);
  const broken = await cli(['bench', 'compare', baseline, file('x.json', '{}')]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /BENCH_SUMMARY_INVALID|no bench samples/);
});
