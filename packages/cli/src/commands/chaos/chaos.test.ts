// `twilio-lab chaos list|run|reset` end to end: the real bin/run.js against a Toxiproxy of the
// test's own (never the developer's instance on 18474).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToxiproxyClient } from '@twilio-lab/chaos';
import { findProjectRoot, resolveConfig, start, stop } from '@twilio-lab/infra';

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twilio-lab-cli-chaos-'));
let url = '';
let infraOptions: Parameters<typeof start>[1];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, TOXIPROXY_URL: url }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
      },
    );
  });
}

before(async () => {
  const configured = resolveConfig({}).toxiproxy.bin;
  const bin = existsSync(configured)
    ? configured
    : join(findProjectRoot(), '.infra', 'bin', 'toxiproxy-server');
  const port = await freePort();
  infraOptions = { dir, ports: { toxiproxy: port }, toxiproxyBin: bin, startTimeoutMs: 20_000 };
  const [report] = await start(['toxiproxy'], infraOptions);
  assert.equal(report?.outcome, 'started', report?.message);
  url = `http://127.0.0.1:${port}`;
  await new ToxiproxyClient(url).createProxy('webhook-egress', '127.0.0.1:0', '127.0.0.1:9');
});

after(async () => {
  await stop(['toxiproxy'], infraOptions);
  rmSync(dir, { recursive: true, force: true });
});

test('chaos run: journal, report, exit 0 when the hypothesis holds; list and reset', async () => {
  const file = join(dir, 'exp.yaml');
  writeFileSync(
    file,
    'name: cli-demo\nfaults:\n  - { at: 0s, for: 300ms, action: latency, target: webhook-*, latency: 100 }\n',
  );
  const journal = join(dir, 'journal.ndjson');
  const run = await cli([
    'chaos',
    'run',
    file,
    '--journal',
    journal,
    '--data-dir',
    join(dir, 'nolab'),
    '--json',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    outcome: string;
    faults: { event: string; resolved?: string[] }[];
  };
  assert.equal(report.outcome, 'held');
  assert.deepEqual(
    report.faults.map((f) => f.event),
    ['inject', 'revert', 'rollback'],
  );
  assert.deepEqual(report.faults[0]?.resolved, ['webhook-egress']);
  assert.ok(existsSync(journal));

  const client = new ToxiproxyClient(url);
  await client.addToxic('webhook-egress', {
    name: 'manual',
    type: 'latency',
    stream: 'downstream',
    toxicity: 1,
    attributes: { latency: 5, jitter: 0 },
  });
  await client.setEnabled('webhook-egress', false);
  const list = await cli(['chaos', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /webhook-egress\s+DOWN/);
  assert.match(list.stdout, /toxic manual: latency/);
  const reset = await cli(['chaos', 'reset', '--json']);
  assert.equal(reset.code, 0, reset.stderr);
  assert.deepEqual(JSON.parse(reset.stdout), {
    toxiproxy: url,
    reset: true,
    toxicsRemoved: 1,
    linksBroughtUp: 1,
  });
  const [proxy] = await client.proxies();
  assert.equal(proxy?.enabled, true);
  assert.equal(proxy?.toxics.length, 0);
});

test('chaos run: a missing link is a clear error; an invalid file exits 104', async () => {
  const file = join(dir, 'partition.yaml');
  writeFileSync(file, "name: p\nfaults:\n  - { at: 0s, for: 1s, action: down, target: 'us1->eu1' }\n");
  const missing = await cli(['chaos', 'run', file, '--data-dir', join(dir, 'nolab'), '--json']);
  assert.equal(missing.code, 1);
  const error = (JSON.parse(missing.stdout) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'CHAOS_TARGET_NOT_FOUND');
  assert.match(error.message, /'us1->eu1'/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: b\nfaults:\n  - { at: 0s, action: latency, target: x }\n');
  const invalid = await cli(['chaos', 'run', bad, '--json']);
  assert.equal(invalid.code, 104);
  assert.match(invalid.stdout, /faults\[0\]\.latency: is required/);
});
