import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startLab } from '@twilio-lab/lab';
import { BenchRuntimeError } from '../runtime/errors.js';
import { parseScenario } from '../scenario/parse.js';
import { BENCH_EXIT, runScenario } from './run-scenario.js';
import { BenchSetupError } from './setup.js';

const SMALL = (thresholds: string): string => `
name: tiny
lab: { mode: embedded }
scenarios:
  steady:
    executor: constant-arrival-rate
    rate: 40
    timeUnit: 1s
    duration: 3s
    preAllocatedVUs: 10
    maxVUs: 50
    flow: sms.send
    with: { from: '+15017122661', to: ['+15558670001', '+15558670002'] }
thresholds:
${thresholds}
`;

describe('runScenario', () => {
  it('starts the lab, provisions the sender, runs, reconciles, writes every report and stops the lab', async () => {
    const out = await mkdtemp(join(tmpdir(), 'bench-run-'));
    let closed = false;
    try {
      const scenario = parseScenario(
        SMALL("  sms_accept_duration: ['p(99)<5000']\n  messages_lost: ['count==0']"),
        'tiny.yaml',
      );
      const lines: string[] = [];
      const outcome = await runScenario(scenario, {
        outDir: out,
        calibrate: false,
        workers: 1,
        onLine: (l) => lines.push(l),
        startLab: async (o) => {
          const lab = await startLab(o);
          return { info: lab.info, close: async (t) => ((closed = true), lab.close(t)) };
        },
      });
      assert.equal(outcome.exitCode, BENCH_EXIT.ok, outcome.table);
      assert.equal(outcome.result.reconciliation.accepted, 120);
      assert.equal(outcome.result.reconciliation.lost, 0);
      assert.ok(lines.some((l) => l.includes('bought +15017122661')));
      assert.equal(closed, true, 'the embedded lab is stopped after the run');
      assert.deepEqual(outcome.files.map((f) => f.slice(out.length + 1)).sort(), [
        'junit.xml',
        'report.html',
        'summary.json',
        'timeseries.ndjson',
      ]);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as {
        ok: boolean;
        samples: { throughputPerSecond: number[]; p99PerWindowMs: number[] };
      };
      assert.equal(summary.ok, true);
      // Fixed-rate arrivals only: throughput is the generator's, so it is not sampled for compare.
      assert.deepEqual(summary.samples.throughputPerSecond, []);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('runs over setup.accounts: every account sends its share and every message reconciles', async () => {
    const scenario = parseScenario(
      SMALL("  messages_lost: ['count==0']").replace(
        'lab: { mode: embedded }',
        'lab: { mode: embedded }\nsetup: { accounts: 3 }',
      ),
      'many.yaml',
    );
    const lines: string[] = [];
    const outcome = await runScenario(scenario, {
      calibrate: false,
      workers: 1,
      startLab,
      onLine: (l) => lines.push(l),
    });
    assert.equal(outcome.exitCode, BENCH_EXIT.ok, outcome.table);
    const rec = outcome.result.reconciliation;
    assert.equal(rec.accepted, 120);
    assert.equal(rec.terminal, 120);
    assert.equal(rec.lost, 0);
    assert.equal(rec.invalidSignatures, 0);
    assert.equal(lines.filter((l) => l.includes('created subaccount')).length, 2);
    for (const account of ['a0', 'a1', 'a2']) {
      const accepted = outcome.result.metrics.total.find(
        (s) => s.metric === 'checks' && s.tags.check === 'accepted' && s.tags.account === account,
      );
      assert.ok(accepted?.type === 'rate', `account ${account} has samples`);
      assert.equal(accepted.trues, 40);
    }
  });

  it('exits 99 when a budget fails, even with every message delivered', async () => {
    const scenario = parseScenario(SMALL("  sms_accept_duration: ['p(50)<0.001']"), 'tiny.yaml');
    const outcome = await runScenario(scenario, { calibrate: false, workers: 1, startLab });
    assert.equal(outcome.exitCode, BENCH_EXIT.budgetsFailed);
    assert.equal(outcome.result.reconciliation.lost, 0);
    assert.equal(outcome.thresholds[0]?.ok, false);
  });

  it('refuses an unbuilt flow or unusable setup before starting anything', async () => {
    let started = false;
    const spy = async (): Promise<never> => {
      started = true;
      throw new Error('must not start');
    };
    const verify = parseScenario(
      'name: v\nscenarios:\n  s: { executor: per-vu-iterations, vus: 1, iterations: 1, flow: video.join }\n',
      'v.yaml',
    );
    await assert.rejects(
      runScenario(verify, { startLab: spy }),
      (e: unknown) => e instanceof BenchRuntimeError && e.code === 'FLOW_UNAVAILABLE',
    );
    const rooms = parseScenario(
      SMALL("  messages_lost: ['count==0']").replace(
        'lab: { mode: embedded }',
        'lab: { mode: embedded }\nsetup: { rooms: 2 }',
      ),
      'r.yaml',
    );
    await assert.rejects(
      runScenario(rooms, { startLab: spy }),
      (e: unknown) => e instanceof BenchSetupError && /setup\.rooms/.test(e.message),
    );
    assert.equal(started, false);
  });
});
