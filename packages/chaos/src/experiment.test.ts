/** runExperiment's control flow: before/during/after, abort conditions, signals, always-run rollback. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { ChaosError } from './errors.js';
import { runExperiment } from './experiment.js';
import { loadExperimentFile, parseExperiment } from './parse.js';
import { formatExperimentReport } from './report.js';
import { ToxiproxyClient } from './toxiproxy.js';
import { startEchoServer } from './testing/echo-server.js';
import { startOwnToxiproxy, type OwnToxiproxy } from './testing/toxiproxy-server.js';
import { projectFile } from './testing/webhook-sink.js';

describe('runExperiment', () => {
  let toxiproxy: OwnToxiproxy;
  let client: ToxiproxyClient;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;

  before(async () => {
    toxiproxy = await startOwnToxiproxy();
    client = new ToxiproxyClient(toxiproxy.url);
    echo = await startEchoServer();
    await client.createProxy('link-a', '127.0.0.1:0', `127.0.0.1:${echo.port}`);
  });

  after(async () => {
    await toxiproxy?.close();
    await echo?.close();
  });

  const activeToxics = async (): Promise<number> =>
    (await client.proxies()).reduce((n, p) => n + p.toxics.length, 0);

  const file = (
    probes: string,
    faults = '  - { at: 0s, for: 1500ms, action: latency, target: link-a, latency: 50 }',
  ): string =>
    `name: t\nhypothesis:\n  title: test\n  interval: 100ms\n  probes:\n${probes}\nfaults:\n${faults}\n`;

  it('checks before, during (only while a fault is active) and after, and says it held', async () => {
    const seen: string[] = [];
    const experiment = parseExperiment(file('    - { name: p, custom: p, tolerance: { max: 10 } }'), 't');
    const report = await runExperiment(experiment, {
      toxiproxyUrl: toxiproxy.url,
      probes: {
        p: async (phase) => {
          seen.push(phase);
          if (phase === 'during') assert.equal(await activeToxics(), 1, 'during checks run under the fault');
          return 3;
        },
      },
    });
    assert.equal(report.outcome, 'held', formatExperimentReport(report));
    assert.equal(seen[0], 'before');
    assert.equal(seen[seen.length - 1], 'after');
    assert.ok(seen.filter((p) => p === 'during').length >= 2);
    assert.equal(await activeToxics(), 0);
    assert.deepEqual(
      report.faults.map((e) => e.event),
      ['inject', 'revert', 'rollback'],
    );
  });

  it('does not inject anything when the steady state does not hold before', async () => {
    const experiment = parseExperiment(file('    - { name: p, custom: p, tolerance: { max: 10 } }'), 't');
    const report = await runExperiment(experiment, { toxiproxyUrl: toxiproxy.url, probes: { p: () => 11 } });
    assert.equal(report.outcome, 'not-started');
    assert.match(report.reason ?? '', /did not hold before/);
    assert.deepEqual(report.faults, []);
  });

  it('reports a deviation during the faults (and keeps going without abortOnFail)', async () => {
    const experiment = parseExperiment(
      file('    - { name: p, custom: p, tolerance: { equals: true } }'),
      't',
    );
    const report = await runExperiment(experiment, {
      toxiproxyUrl: toxiproxy.url,
      probes: { p: (phase) => phase !== 'during' },
    });
    assert.equal(report.outcome, 'deviated');
    const during = report.summaries.find((s) => s.phase === 'during');
    assert.equal(during?.verdict, 'deviated');
    assert.ok((during?.failed ?? 0) >= 2, 'kept checking');
    assert.equal(report.summaries.find((s) => s.phase === 'after')?.verdict, 'held');
  });

  it('abortOnFail: the first failed check during the faults reverts them at once', async () => {
    const experiment = parseExperiment(
      file(
        '    - { name: p, custom: p, tolerance: { max: 0 }, abortOnFail: true }',
        '  - { at: 0s, for: 1m, action: down, target: link-a }',
      ),
      't',
    );
    const started = Date.now();
    const report = await runExperiment(experiment, {
      toxiproxyUrl: toxiproxy.url,
      probes: { p: (phase) => (phase === 'during' ? 1 : 0) },
    });
    assert.equal(report.outcome, 'aborted');
    assert.match(report.reason ?? '', /abortOnFail/);
    assert.ok(Date.now() - started < 60_000, 'did not wait for the fault to run its course');
    assert.equal(report.rollback.ok, true);
    assert.deepEqual(
      report.rollback.undone.map((u) => u.what),
      ['enable link link-a'],
    );
    assert.equal((await client.proxies())[0]?.enabled, true);
  });

  it('a signal (Ctrl-C) stops the run and the rollback still reverts everything', async () => {
    const experiment = parseExperiment(
      file(
        '    - { name: p, custom: p }',
        '  - { at: 0s, for: 1m, action: timeout, target: link-a, stream: both }',
      ),
      't',
    );
    const controller = new AbortController();
    const report = await runExperiment(experiment, {
      toxiproxyUrl: toxiproxy.url,
      signal: controller.signal,
      onJournal: (e) => {
        if (e.event === 'inject') setTimeout(() => controller.abort(), 200);
      },
      probes: { p: () => true },
    });
    assert.equal(report.outcome, 'aborted');
    assert.equal(report.rollback.undone.length, 2);
    assert.equal(await activeToxics(), 0);
  });

  it('skips custom probes nobody supplied, and refuses unknown ${VARS} before doing anything', async () => {
    const skipped = await runExperiment(parseExperiment(file('    - { name: p, custom: budgets }'), 't'), {
      toxiproxyUrl: toxiproxy.url,
    });
    assert.equal(skipped.outcome, 'held');
    assert.ok(skipped.summaries.every((s) => s.verdict === 'skipped' || s.verdict === 'not-measured'));
    const needsVar = parseExperiment(file("    - { name: p, http: { url: '${NOPE_URL}/x' } }"), 't');
    await assert.rejects(
      runExperiment(needsVar, { toxiproxyUrl: toxiproxy.url }),
      (err: unknown) =>
        err instanceof ChaosError &&
        err.code === 'CHAOS_UNKNOWN_VARIABLE' &&
        err.message.includes('NOPE_URL'),
    );
    assert.equal(await activeToxics(), 0);
  });

  it('the experiments that need a topology fail up front, naming the missing link or process', async () => {
    const names = (await readdir(projectFile('chaos'))).filter((f) => f.endsWith('.yaml'));
    const needTopology = [
      'carrier-outage.yaml',
      'kafka-brownout.yaml',
      'region-partition.yaml',
      'cell-kill.yaml',
    ];
    for (const name of needTopology) assert.ok(names.includes(name), name);
    const missing: Record<string, string> = {
      'carrier-outage.yaml': "'us1.super-network->carrier-*'",
      'kafka-brownout.yaml': "'us1.cell-*.kafka'",
      'region-partition.yaml': "'us1->eu1'",
      'cell-kill.yaml': "no process matches 'us1-cell-1'",
    };
    for (const name of needTopology) {
      const experiment = await loadExperimentFile(projectFile(`chaos/${name}`));
      await assert.rejects(
        runExperiment(experiment, {
          toxiproxyUrl: toxiproxy.url,
          vars: { LAB_URL: 'http://127.0.0.1:1', LAB_ADMIN_TOKEN: 'x' },
        }),
        (err: unknown) =>
          err instanceof ChaosError &&
          err.code === 'CHAOS_TARGET_NOT_FOUND' &&
          err.message.includes(missing[name] as string),
        name,
      );
    }
  });
});
