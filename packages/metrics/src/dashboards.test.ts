/**
 * The Grafana dashboards against reality: every PromQL expression they hold names only metrics
 * this package defines, parses in a real Prometheus, and the core panels (gateway RED, process
 * runtime, messages accepted, webhook attempts) return data from a running lab under load. Starts its own Prometheus (through
 * @twilio-lab/infra, on a free port, in a temporary folder) and its own lab (`twilio-lab up`
 * as a child process), and stops both.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { start, status, stop } from '@twilio-lab/infra';
import { httpMetrics } from './http-metrics.js';
import {
  carrierMetrics,
  messagingMetrics,
  queueMetrics,
  senderMetrics,
  verifyMetrics,
  webhookMetrics,
} from './product-metrics.js';
import { writePrometheusTarget } from './prometheus-target.js';
import { createRegistry } from './registry.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DASHBOARDS = join(REPO, 'grafana', 'provisioning', 'dashboards', 'twilio-lab');
const DATASOURCES = join(REPO, 'grafana', 'provisioning', 'datasources', 'prometheus.yml');
const CLI = join(REPO, 'packages', 'cli', 'bin', 'run.js');
const JOB = 'lab-gateway';
const FROM = '+15017122661';

/** Panels that must show data from an embedded lab under load (dashboard uid → panel titles). */
const CORE_PANELS: Readonly<Record<string, readonly string[]>> = {
  'twilio-lab-overview': [
    'Requests per second by product',
    'Error ratio (5xx)',
    'Client error ratio (4xx)',
    'Latency p50 / p99 (all routes)',
    'Requests per second by status class',
    'Requests in flight',
    'Top routes by rate',
    'p99 latency by route',
    'Requests per second by account tier',
    'Authentication failures',
    'Scrape targets up',
    'CPU (cores)',
    'Resident memory',
    'Heap used',
    'Event-loop lag p99',
    'Active handles',
  ],
  'twilio-lab-messaging': [
    'Messages.json requests per second',
    'Messages.json latency p50 / p99',
    'Messages.json error ratio',
    'Messages accepted per second',
    'Accept → durable p50 / p99',
    'Status transitions per second',
  ],
  // The load's status callbacks go to a local endpoint that answers 204.
  'twilio-lab-webhooks-carriers': ['Attempts per second by outcome'],
};

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; refId?: string }[];
}

interface Expression {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

async function loadDashboards(): Promise<{ uid: string; title: string; panels: Panel[] }[]> {
  const files = (await readdir(DASHBOARDS)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(
      async (f) =>
        JSON.parse(await readFile(join(DASHBOARDS, f), 'utf8')) as {
          uid: string;
          title: string;
          panels: Panel[];
        },
    ),
  );
}

function expressions(dashboards: Awaited<ReturnType<typeof loadDashboards>>): Expression[] {
  const out: Expression[] = [];
  for (const d of dashboards) {
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        if (t.expr !== undefined)
          out.push({ dashboard: d.uid, panel: p.title, refId: t.refId ?? '?', expr: t.expr });
      }
    }
  }
  return out;
}

/** Grafana's variables, as the dashboards use them (all values selected). */
function substitute(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$process', '.*').replaceAll('$product', '.*');
}

/** Every metric name the code defines, with the series names a histogram adds. */
async function definedSeriesNames(): Promise<Set<string>> {
  const registry = createRegistry({ process: 'test' });
  for (const build of [
    httpMetrics,
    messagingMetrics,
    senderMetrics,
    queueMetrics,
    carrierMetrics,
    webhookMetrics,
    verifyMetrics,
  ]) {
    build(registry);
  }
  const names = new Set<string>();
  for (const [, name, type] of (await registry.metrics()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

describe('grafana dashboards (static)', () => {
  it('name only metrics the code defines, through the provisioned data source', async () => {
    const dashboards = await loadDashboards();
    assert.ok(dashboards.length >= 4, 'overview, messaging, webhooks & carriers, verify');
    const uid = /uid:\s*(\S+)/.exec(await readFile(DATASOURCES, 'utf8'))?.[1];
    assert.equal(uid, 'twilio-lab-prometheus');
    const defined = await definedSeriesNames();
    const uids = new Set<string>();
    for (const d of dashboards) {
      assert.ok(!uids.has(d.uid), `duplicate uid ${d.uid}`);
      uids.add(d.uid);
      for (const p of d.panels) {
        if (p.type === 'row') continue;
        assert.equal(p.datasource?.uid, uid, `${d.uid} / ${p.title}`);
        assert.ok((p.targets ?? []).length > 0, `${d.uid} / ${p.title} has no query`);
      }
    }
    const all = expressions(dashboards);
    for (const e of all) {
      for (const [name] of e.expr.matchAll(/\btwilio_lab_[a-z0-9_]+/g)) {
        assert.ok(defined.has(name), `${e.dashboard} / ${e.panel}: ${name} is not a metric the code defines`);
      }
    }
    for (const [dashboard, titles] of Object.entries(CORE_PANELS)) {
      for (const title of titles) {
        assert.ok(
          all.some((e) => e.dashboard === dashboard && e.panel === title),
          `core panel ${dashboard} / ${title} exists`,
        );
      }
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface LabInfo {
  baseUrl: string;
  port: number;
  accountSid: string;
  authToken: string;
}

/** `twilio-lab up --json` prints its LabInfo as one line once listening. */
function startLab(dataDir: string): Promise<{ child: ChildProcess; info: LabInfo }> {
  const child = spawn(
    process.execPath,
    [CLI, 'up', '--port', '0', '--json', '--ephemeral', '--log', 'silent', '--data-dir', dataDir],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the lab did not start in 60 s: ${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the lab exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const info = JSON.parse(line) as Partial<LabInfo>;
        if (typeof info.baseUrl === 'string') {
          clearTimeout(timer);
          resolve({ child, info: info as LabInfo });
        }
      } catch {
        // Not the info line.
      }
    });
  });
}

async function stopLab(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface QueryReply {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

const prometheusInstalled = (await status(['prometheus']))[0]?.installed === true;

describe('grafana dashboards against a real Prometheus scraping a lab under load', () => {
  // Never skipped: the test command installs Prometheus; a machine without it fails here, saying so.
  it('has Prometheus installed', () => {
    assert.ok(
      prometheusInstalled,
      'prometheus is not installed: run `npx twilio-lab infra install prometheus` (npm test does)',
    );
  });

  let dir: string;
  let promPort: number;
  let lab: { child: ChildProcess; info: LabInfo } | undefined;
  let callbacks: Server | undefined;
  let statusCallback: string;

  const infraOptions = () => ({ dir, ports: { prometheus: promPort } });

  async function query(expr: string): Promise<QueryReply> {
    const url = `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`;
    return (await (await fetch(url)).json()) as QueryReply;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dashboards-test-'));
    promPort = await freePort();
    const [report] = await start(['prometheus'], infraOptions());
    assert.ok(report?.ok, `prometheus did not start: ${report?.message}`);
    callbacks = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => callbacks!.listen(0, '127.0.0.1', resolve));
    statusCallback = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/status`;
    lab = await startLab(join(dir, 'lab'));
    await writePrometheusTarget(dir, JOB, `127.0.0.1:${lab.info.port}`, { instance_role: 'embedded' });
  });

  after(async () => {
    if (lab !== undefined) await stopLab(lab.child);
    if (callbacks !== undefined) {
      callbacks.closeAllConnections();
      await new Promise<void>((resolve) => callbacks!.close(() => resolve()));
    }
    await stop(['prometheus'], infraOptions());
    await rm(dir, { recursive: true, force: true });
  });

  it('parses every expression, and the core panels return data', async () => {
    const { baseUrl, accountSid, authToken } = lab!.info;
    const auth = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
    const form = { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' };
    const api = `${baseUrl}/2010-04-01/Accounts/${accountSid}`;
    const bought = await fetch(`${api}/IncomingPhoneNumbers.json`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ PhoneNumber: FROM }).toString(),
    });
    assert.equal(bought.status, 201, await bought.text());

    // Load for as long as it takes Prometheus to find the target and scrape it a few times,
    // so that every rate() window holds samples with traffic between them.
    let sent = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const batch = Array.from({ length: 5 }, (_, i) =>
        fetch(`${api}/Messages.json`, {
          method: 'POST',
          headers: form,
          body: new URLSearchParams({
            From: FROM,
            To: `+1555867${String(1000 + ((sent + i) % 9000))}`,
            Body: 'hi',
            StatusCallback: statusCallback,
          }).toString(),
        }).then(async (r) => {
          await r.arrayBuffer();
          assert.equal(r.status, 201);
        }),
      );
      batch.push(
        fetch(`${api}/Messages.json?PageSize=5`, { headers: { authorization: auth } }).then((r) =>
          r.arrayBuffer().then(() => {}),
        ),
      );
      batch.push(
        fetch(`${api}/Messages.json`, { headers: { authorization: 'Basic eDp5' } }).then((r) =>
          r.arrayBuffer().then(() => {}),
        ),
      );
      await Promise.all(batch);
      sent += 5;
      const scrapes = await query(`count_over_time(up{job="${JOB}"}[5m])`);
      const count = Number(scrapes.data?.result[0]?.value[1] ?? 0);
      if (count >= 4) break;
      assert.ok(Date.now() < deadline, `Prometheus scraped the lab ${count} times in 90 s`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const all = expressions(await loadDashboards());
    assert.ok(all.length > 40, `${all.length} expressions`);
    const failures: string[] = [];
    for (const e of all) {
      const reply = await query(substitute(e.expr));
      const where = `${e.dashboard} / ${e.panel} / ${e.refId}`;
      if (reply.status !== 'success') {
        failures.push(`${where}: ${reply.error ?? 'query failed'}: ${e.expr}`);
        continue;
      }
      if (!(CORE_PANELS[e.dashboard] ?? []).includes(e.panel)) continue;
      const values = (reply.data?.result ?? []).map((r) => Number(r.value[1]));
      if (!values.some((v) => Number.isFinite(v))) {
        failures.push(`${where}: no data (${JSON.stringify(reply.data?.result)}): ${e.expr}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
