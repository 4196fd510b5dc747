/**
 * A scenario's `faults` timeline goes through the chaos engine: injected at its time on a
 * Toxiproxy link, visible in the measurements, journaled, and always rolled back. A fault on a
 * link that does not exist stops the run before any load. Uses a Toxiproxy of its own.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig, start, stop } from '@twilio-lab/infra';
import { parseScenario } from '../scenario/parse.js';
import { BENCH_EXIT, runScenario } from './run-scenario.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('faults timeline in a bench run', () => {
  let dir: string;
  let toxiproxyUrl: string;
  let infraOptions: Parameters<typeof start>[1];
  const app = createServer((_req, res) => res.end('ok'));
  let proxyPort: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-faults-'));
    const port = await freePort();
    infraOptions = {
      dir,
      ports: { toxiproxy: port },
      toxiproxyBin: join(resolveConfig({}).dir, 'bin', 'toxiproxy-server'),
    };
    const [report] = await start(['toxiproxy'], infraOptions);
    assert.equal(report?.ok, true, `own toxiproxy: ${report?.message} (npm test installs it)`);
    toxiproxyUrl = `http://127.0.0.1:${port}`;
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    proxyPort = await freePort();
    const created = await fetch(`${toxiproxyUrl}/proxies`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'app-link',
        listen: `127.0.0.1:${proxyPort}`,
        upstream: `127.0.0.1:${(app.address() as AddressInfo).port}`,
        enabled: true,
      }),
    });
    assert.equal(created.status, 201);
  });

  after(async () => {
    await stop(['toxiproxy'], infraOptions);
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const scenarioWith = (target: string): string => `
name: faulted
scenarios:
  steady:
    executor: constant-arrival-rate
    rate: 20
    timeUnit: 1s
    duration: 4s
    preAllocatedVUs: 10
    maxVUs: 50
    flow: http
    with: { path: /, auth: none }
faults:
  - { at: 1s, for: 2s, action: latency, target: ${target}, latency: 150 }
`;

  it('injects the fault at its time, measures it, journals it and rolls it back', async () => {
    const outcome = await runScenario(parseScenario(scenarioWith('app-link'), 'faulted.yaml'), {
      target: { baseUrl: `http://127.0.0.1:${proxyPort}`, accountSid: 'AC0', authToken: '0' },
      toxiproxyUrl,
      calibrate: false,
      workers: 1,
    });
    assert.equal(outcome.exitCode, BENCH_EXIT.ok, outcome.table);
    const journal = outcome.summary.extra?.faults as { event: string; tMs: number }[];
    const inject = journal.find((e) => e.event === 'inject');
    const revert = journal.find((e) => e.event === 'revert');
    assert.ok(inject && revert, JSON.stringify(journal));
    assert.ok(inject.tMs >= 900 && revert.tMs >= inject.tMs + 1_900, JSON.stringify(journal));
    const max = outcome.summary.metrics.find((m) => m.label.startsWith('http_req_duration'))?.trend?.max ?? 0;
    assert.ok(max >= 150, `the added latency shows in the measurements (max ${max} ms)`);
    const toxics = (await (await fetch(`${toxiproxyUrl}/proxies/app-link/toxics`)).json()) as unknown[];
    assert.deepEqual(toxics, [], 'rolled back');
  });

  it('a fault on a link that does not exist stops the run before any load', async () => {
    await assert.rejects(
      runScenario(parseScenario(scenarioWith('no-such-link'), 'faulted.yaml'), {
        target: { baseUrl: `http://127.0.0.1:${proxyPort}`, accountSid: 'AC0', authToken: '0' },
        toxiproxyUrl,
        calibrate: false,
        workers: 1,
      }),
      (err: unknown) => (err as { code?: string }).code === 'CHAOS_TARGET_NOT_FOUND',
    );
  });
});
