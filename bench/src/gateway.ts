#!/usr/bin/env node
/**
 * Gateway benchmark (a report, not a test): raw uWebSockets.js calibration, then the embedded lab
 * under the same load on POST Messages.json, half-rate latency, delivery reconciliation and memory.
 * Everything runs on 127.0.0.1. Exits 0 even when a target is missed; exits 1 on message loss
 * or when the run itself cannot be carried out.
 *
 *   node bench/dist/gateway.js [--duration 10] [--connections 64] [--soak SECONDS]
 *                              [--status-callback] [--delivery-timeout 120]
 *                              [--backend embedded|real|both] [--e2e-rate 3000]
 *
 * --backend real runs the lab on PostgreSQL, Kafka and Redis (`twilio-lab infra start`, or the
 * engines DATABASE_URL / KAFKA_BROKERS / REDIS_URL name) and adds an end-to-end phase at
 * --e2e-rate: accept latency at that rate and 201 → `delivered` callback throughput. `both` runs
 * the embedded lab and the real one in the same job and prints real / embedded ratios.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnNode, stopChild } from './children.js';
import { runLoad, type LoadResult } from './load.js';
import { RssSampler, rssSlopeMbPerMin } from './memory.js';
import { buildReport, formatReport, type GatewayFigures, type GatewayReport } from './report.js';

interface LabInfo {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  adminToken: string;
  pid: number;
}

interface LabStatus {
  messages: Record<string, number | undefined>;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/run.js');
const CALIBRATION = fileURLToPath(new URL('./calibration-server.js', import.meta.url));
const RESULTS = join(REPO, 'bench/results');
const TO = '+15558675310';
const BODY = 'Your verification code is 482913. It expires in 10 minutes. Reply STOP to opt out.';
const MB = 1024 * 1024;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string' },
    connections: { type: 'string' },
    soak: { type: 'string' },
    'status-callback': { type: 'boolean', default: false },
    'delivery-timeout': { type: 'string' },
    backend: { type: 'string', default: 'embedded' },
    'e2e-rate': { type: 'string' },
  },
  strict: true,
});
const durationSec = Math.max(1, positiveInt('duration', values.duration, 10));
const connections = Math.max(1, positiveInt('connections', values.connections, 64));
const soakSec = positiveInt('soak', values.soak, 0);
const deliveryTimeoutSec = Math.max(1, positiveInt('delivery-timeout', values['delivery-timeout'], 120));
const e2eRate = Math.max(1, positiveInt('e2e-rate', values['e2e-rate'], 3_000));
type Backend = 'embedded' | 'real';
const BACKENDS: Record<string, Backend[]> = {
  embedded: ['embedded'],
  real: ['real'],
  both: ['embedded', 'real'],
};
const backends = BACKENDS[values.backend ?? 'embedded'];
if (backends === undefined) {
  console.error(`--backend must be embedded, real or both, got "${values.backend}"`);
  process.exit(2);
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function log(line: string): void {
  console.error(`[bench] ${line}`);
}

async function calibrate(body: string): Promise<LoadResult> {
  const server = await spawnNode<{ port: number }>([CALIBRATION], 15_000);
  try {
    log(
      `calibration: raw uWS echo on port ${server.first.port}, ${connections} connections, ${durationSec} s`,
    );
    return await runLoad({
      url: `http://127.0.0.1:${server.first.port}/2010-04-01/Accounts/AC0/Messages.json`,
      body,
      connections,
      durationSec,
    });
  } finally {
    await stopChild(server.child, 5_000);
  }
}

interface CallbackSink {
  url: string;
  count: () => number;
  /** `delivered` callbacks so far, and when the last one arrived (epoch ms). */
  delivered: () => { count: number; lastAt: number };
  close: () => Promise<void>;
}

/** Sink for StatusCallback webhooks: answers 204 and counts (delivered ones separately). */
async function startCallbackSink(): Promise<CallbackSink> {
  let received = 0;
  let delivered = 0;
  let lastDeliveredAt = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received++;
      if (body.includes('MessageStatus=delivered')) {
        delivered++;
        lastDeliveredAt = Date.now();
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`,
    count: () => received,
    delivered: () => ({ count: delivered, lastAt: lastDeliveredAt }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function provisionNumber(info: LabInfo, auth: string): Promise<string> {
  const url = `${info.baseUrl}/2010-04-01/Accounts/${info.accountSid}/IncomingPhoneNumbers.json`;
  const attempts: Record<string, string>[] = [{ PhoneNumber: '+14155550100' }, { AreaCode: '415' }];
  for (const fields of attempts) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(fields),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { phone_number?: string; message?: string };
    if (res.status === 201 && typeof body.phone_number === 'string') return body.phone_number;
    log(`provisioning ${JSON.stringify(fields)} answered ${res.status}: ${body.message ?? ''}`);
  }
  throw new Error('could not provision a From number on the lab');
}

async function labStatus(info: LabInfo): Promise<LabStatus> {
  const res = await fetch(`${info.baseUrl}/lab/v1/Status`, {
    headers: { authorization: `Bearer ${info.adminToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET /lab/v1/Status answered ${res.status}`);
  return (await res.json()) as LabStatus;
}

function terminalCounts(s: LabStatus): {
  delivered: number;
  undelivered: number;
  failed: number;
  terminal: number;
  stored: number;
  received: number;
} {
  const delivered = s.messages.delivered ?? 0;
  const undelivered = s.messages.undelivered ?? 0;
  const failed = s.messages.failed ?? 0;
  return {
    delivered,
    undelivered,
    failed,
    terminal: delivered + undelivered + failed,
    stored: s.messages.total ?? 0,
    received: s.messages.received ?? 0,
  };
}

/** Polls until every accepted message is terminal, bounded by the timeout (and so by a count). */
async function awaitDelivery(info: LabInfo, accepted: number): Promise<ReturnType<typeof terminalCounts>> {
  const deadline = Date.now() + deliveryTimeoutSec * 1000;
  // The lab may hold more than the client saw acknowledged (requests in flight when a run ended):
  // wait for those too, every outbound message the store holds must settle.
  const settled = (c: ReturnType<typeof terminalCounts>): boolean =>
    c.terminal >= Math.max(accepted, c.stored - c.received);
  let counts = terminalCounts(await labStatus(info));
  while (!settled(counts) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    counts = terminalCounts(await labStatus(info));
  }
  return counts;
}

/** One lab (embedded or on the real engines) through every phase; the report of that lab. */
async function benchLab(backend: Backend, calibration: LoadResult): Promise<GatewayReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twilio-lab-bench-'));
  const wantSink = values['status-callback'] || backend === 'real';
  const sink = wantSink ? await startCallbackSink() : undefined;
  let lab: Awaited<ReturnType<typeof spawnNode<LabInfo>>> | undefined;
  try {
    const realArgs =
      backend === 'real' ? ['--backend', 'real', '--namespace', `bench_${Date.now().toString(36)}`] : [];
    lab = await spawnNode<LabInfo>(
      [
        CLI,
        'up',
        '--port',
        '0',
        '--json',
        '--data-dir',
        dataDir,
        '--log',
        'silent',
        '--rate-limit',
        '1000000',
        ...realArgs,
      ],
      60_000,
    );
    const info = lab.first;
    if (typeof info.baseUrl !== 'string') {
      throw new Error(`twilio-lab up did not print LabInfo: ${JSON.stringify(info)}`);
    }
    const auth = 'Basic ' + Buffer.from(`${info.accountSid}:${info.authToken}`).toString('base64');
    const from = await provisionNumber(info, auth);
    const url = `${info.baseUrl}/2010-04-01/Accounts/${info.accountSid}/Messages.json`;
    const withCallback = values['status-callback'] && sink !== undefined;
    const body = form({
      To: TO,
      From: from,
      Body: BODY,
      ...(withCallback ? { StatusCallback: sink.url } : {}),
    });
    const headers = { authorization: auth };
    const pid = lab.child.pid ?? info.pid;

    const sampler = new RssSampler(pid);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idle = sampler.sample();
    sampler.start(1_000);

    log(`${backend} lab ${info.baseUrl}: full speed, ${connections} connections, ${durationSec} s`);
    const full = await runLoad({ url, body, headers, connections, durationSec });
    log(`lab: ${full.rps.toFixed(0)} msg/s, p99 ${full.p99} ms, non-2xx ${full.non2xx}`);

    const halfRate = Math.max(1, Math.floor(full.rps / 2));
    log(`lab: half rate ${halfRate}/s for ${durationSec} s`);
    const half = await runLoad({ url, body, headers, connections, durationSec, overallRate: halfRate });

    let soakSlope: number | null = null;
    let soakCreated = 0;
    if (soakSec > 0) {
      log(`soak: ${halfRate}/s for ${soakSec} s, RSS every 5 s`);
      sampler.start(5_000);
      const soak = await runLoad({
        url,
        body,
        headers,
        connections,
        durationSec: soakSec,
        overallRate: halfRate,
      });
      sampler.sample();
      soakCreated = soak.created;
      soakSlope = rssSlopeMbPerMin(sampler.samples);
    }

    let accepted = full.created + half.created + soakCreated;
    log(
      `delivery: waiting for ${accepted} accepted messages to reach a terminal state (≤ ${deliveryTimeoutSec} s)`,
    );
    let delivery = await awaitDelivery(info, accepted);

    let endToEnd: GatewayFigures['endToEnd'];
    if (backend === 'real' && sink !== undefined) {
      // After the backlog above has drained, so that this phase measures only its own messages.
      const e2eBody = form({ To: TO, From: from, Body: BODY, StatusCallback: sink.url });
      const before = sink.delivered().count;
      log(`end to end: ${e2eRate}/s for ${durationSec} s with StatusCallbacks`);
      const startedAt = Date.now();
      const phase = await runLoad({
        url,
        body: e2eBody,
        headers,
        connections,
        durationSec,
        overallRate: e2eRate,
      });
      const deadline = Date.now() + deliveryTimeoutSec * 1000;
      while (sink.delivered().count - before < phase.created && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const done = sink.delivered();
      const seconds = Math.max(0.001, (done.lastAt - startedAt) / 1000);
      endToEnd = {
        targetRate: e2eRate,
        accepted: phase.created,
        delivered: done.count - before,
        acceptP50: phase.p50,
        acceptP99: phase.p99,
        deliveredPerSec: (done.count - before) / seconds,
      };
      log(
        `end to end: ${endToEnd.delivered}/${phase.created} delivered, ${endToEnd.deliveredPerSec.toFixed(0)} msg/s`,
      );
      accepted += phase.created;
      delivery = await awaitDelivery(info, accepted);
    }
    sampler.stop();
    if (sink) log(`status callbacks received: ${sink.count()}`);

    return buildReport({
      backend,
      ...(endToEnd === undefined ? {} : { endToEnd }),
      calibration: { rps: calibration.rps, p50: calibration.p50, p99: calibration.p99 },
      lab: { msgsPerSec: full.rps, p50: full.p50, p99: full.p99, non2xx: full.non2xx, errors: full.errors },
      halfRate: { targetRate: halfRate, achievedRps: half.rps, p50: half.p50, p99: half.p99 },
      delivery: {
        accepted,
        terminal: delivery.terminal,
        delivered: delivery.delivered,
        undelivered: delivery.undelivered,
        failed: delivery.failed,
        stored: delivery.stored,
      },
      rss: {
        idleMb: idle === null ? null : idle / MB,
        peakMb: sampler.peak > 0 ? sampler.peak / MB : null,
        soakSlopeMbPerMin: soakSlope,
        soakSeconds: soakSec,
      },
    });
  } finally {
    if (lab !== undefined) await stopChild(lab.child, 15_000);
    await sink?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const calibration = await calibrate(form({ To: TO, From: '+14155550100', Body: BODY }));
  log(`calibration: ${calibration.rps.toFixed(0)} req/s, p99 ${calibration.p99} ms`);
  const reports: GatewayReport[] = [];
  for (const backend of backends!) {
    const report = await benchLab(backend, calibration);
    console.log(formatReport(report) + '\n');
    reports.push(report);
  }
  const [embedded, real] = reports.length === 2 ? reports : [];
  if (embedded !== undefined && real !== undefined) {
    console.log(
      `real / embedded in this job: accept throughput ${(real.lab.msgsPerSec / embedded.lab.msgsPerSec).toFixed(2)}, ` +
        `p99 at half rate ${real.halfRate.p99} ms vs ${embedded.halfRate.p99} ms`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const settings = { durationSec, connections, soakSec, statusCallback: values['status-callback'], e2eRate };
  writeFileSync(file, JSON.stringify({ reports, settings }, null, 2) + '\n');
  console.log(`written ${file}`);
  const lost = reports.reduce((sum, r) => sum + r.lost, 0);
  if (lost > 0) {
    console.error(`MESSAGE LOSS: ${lost} accepted messages never reached a terminal state.`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`gateway benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
