/**
 * Test support: a Toxiproxy of the test's own (started with @twilio-lab/infra on a free port in a
 * temp folder, stopped after), so tests never touch the developer's instance on 18474.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProjectRoot, resolveConfig, start, stop } from '@twilio-lab/infra';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function toxiproxyBinary(): string | null {
  const configured = resolveConfig({}).toxiproxy.bin;
  if (existsSync(configured)) return configured;
  const fallback = join(findProjectRoot(), '.infra', 'bin', 'toxiproxy-server');
  return existsSync(fallback) ? fallback : null;
}

export interface OwnToxiproxy {
  url: string;
  close(): Promise<void>;
}

export async function startOwnToxiproxy(): Promise<OwnToxiproxy> {
  const bin = toxiproxyBinary();
  if (bin === null) throw new Error('no toxiproxy-server binary: run `twilio-lab infra install toxiproxy`');
  const dir = await mkdtemp(join(tmpdir(), 'chaos-toxiproxy-'));
  const port = await freePort();
  const options = {
    dir,
    ports: { toxiproxy: port },
    toxiproxyBin: bin,
    startTimeoutMs: 20_000,
    stopTimeoutMs: 5_000,
  };
  const [report] = await start(['toxiproxy'], options);
  if (report === undefined || !report.ok || report.outcome !== 'started') {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`own toxiproxy did not start on ${port}: ${report?.message ?? 'no report'}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await stop(['toxiproxy'], options);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
