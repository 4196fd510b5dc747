/**
 * Blast radius, end to end: a two-cell embedded topology in real processes. SIGKILL one cell:
 * only its account sees errors (503 / 20503), the other cell's account keeps getting 201s, the
 * supervisor restarts the killed cell and its account gets 201s again, and messages it had
 * accepted before the kill are delivered after. Latencies are measured and reported, never asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@twilio-lab/backends';
import { createIdentity } from '@twilio-lab/identity';
import { startTopology } from './launch.js';
import type { RunningTopology } from './launch.js';
import { GLOBAL_STORE_FILE } from './process-config.js';
import type { SupervisorEvent } from './supervisor.js';

interface Creds {
  sid: string;
  token: string;
}

function sendSms(baseUrl: string, who: Creds, body: string): Promise<Response> {
  return fetch(`${baseUrl}/2010-04-01/Accounts/${who.sid}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${who.sid}:${who.token}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: '+14155550100', From: '+15005550006', Body: body }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
}

async function messageStatus(baseUrl: string, who: Creds, messageSid: string): Promise<string> {
  const response = await fetch(`${baseUrl}/2010-04-01/Accounts/${who.sid}/Messages/${messageSid}.json`, {
    headers: { authorization: `Basic ${Buffer.from(`${who.sid}:${who.token}`).toString('base64')}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) return `http ${response.status}`;
  return ((await response.json()) as { status: string }).status;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function timedSends(
  baseUrl: string,
  who: Creds,
  count: number,
  statuses: number[],
  latencies: number[],
): Promise<string[]> {
  const sids: string[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await sendSms(baseUrl, who, `msg ${i}`);
    latencies.push(performance.now() - started);
    statuses.push(response.status);
    const json = (await response.json()) as { sid?: string };
    if (response.status === 201 && json.sid !== undefined) sids.push(json.sid);
  }
  return sids;
}

test('killing one cell only affects its accounts, and it recovers', { timeout: 120_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'blast-'));
  let running: RunningTopology | undefined;
  try {
    // Two top-level accounts known in advance, so the file can place one on each cell.
    const globalStore = await openSqliteStore({ path: join(dataDir, GLOBAL_STORE_FILE) });
    const identity = await createIdentity(globalStore);
    const a = await identity.createAccount({ friendlyName: 'on cell-1' });
    const b = await identity.createAccount({ friendlyName: 'on cell-2' });
    await globalStore.close();
    const alice: Creds = { sid: a.sid, token: a.authToken };
    const bob: Creds = { sid: b.sid, token: b.authToken };

    const file = join(dataDir, 'topology.yaml');
    await writeFile(
      file,
      `version: 1
name: blast
regions:
  - id: us1
    cells: [{ id: cell-1 }, { id: cell-2 }]
placement:
  explicit:
    ${alice.sid}: us1/cell-1
    ${bob.sid}: us1/cell-2
`,
    );
    const events: SupervisorEvent[] = [];
    running = await startTopology({
      file,
      dataDir,
      port: 0,
      log: 'silent',
      accountSid: alice.sid,
      authToken: alice.token,
      // Long enough that the outage is observable before the restart begins.
      backoff: { initialMs: 750 },
      onEvent: (e) => events.push(e),
    });
    const baseUrl = running.state().gateway.url;

    const before = { alice: [] as number[], bob: [] as number[] };
    const beforeLatency: number[] = [];
    await timedSends(baseUrl, alice, 30, before.alice, beforeLatency);
    const bobAccepted = await timedSends(baseUrl, bob, 30, before.bob, []);
    assert.ok(
      before.alice.every((s) => s === 201),
      `alice before: ${before.alice.join(',')}`,
    );
    assert.ok(
      before.bob.every((s) => s === 201),
      `bob before: ${before.bob.join(',')}`,
    );

    const status = (await (
      await fetch(`${baseUrl}/lab/v1/Status`, {
        headers: { authorization: `Bearer ${running.state().adminToken}` },
      })
    ).json()) as { cells: { cell_id: string; accounts: number; status: string }[] };
    assert.deepEqual(
      status.cells.map((c) => [c.cell_id, c.accounts, c.status]),
      [
        ['us1-cell-1', 1, 'up'],
        ['us1-cell-2', 1, 'up'],
      ],
    );

    const victim = running.supervisor.status('us1-cell-2');
    assert.ok(victim?.pid, 'cell-2 has a pid');
    process.kill(victim.pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.type === 'exit' && e.name === 'us1-cell-2') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }

    // During the outage: bob gets 503 / 20503, alice keeps getting 201s.
    const bobDuring = await sendSms(baseUrl, bob, 'while down');
    const bobBody = (await bobDuring.json()) as { code: number; message: string };
    assert.equal(bobDuring.status, 503);
    assert.equal(bobBody.code, 20503);
    assert.match(bobBody.message, /us1-cell-2/);

    const during = { alice: [] as number[], bob: [] as number[] };
    const duringLatency: number[] = [];
    let bobRecoveredAfter = -1;
    for (let round = 0; round < 600 && bobRecoveredAfter < 0; round++) {
      await timedSends(baseUrl, alice, 5, during.alice, duringLatency);
      const response = await sendSms(baseUrl, bob, `retry ${round}`);
      during.bob.push(response.status);
      await response.arrayBuffer();
      if (response.status === 201) bobRecoveredAfter = round;
      else assert.equal(response.status, 503, `bob got ${response.status} while cell-2 was down`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(bobRecoveredAfter >= 0, 'cell-2 came back after the supervisor restarted it');
    assert.ok(
      during.alice.every((s) => s === 201),
      `alice during the outage: ${during.alice.filter((s) => s !== 201).join(',')}`,
    );
    assert.ok(during.bob.some((s) => s === 503));
    assert.equal(running.supervisor.status('us1-cell-2')?.restarts, 1);

    // What cell-2 accepted before the kill is delivered after its restart.
    const pending = new Set(bobAccepted);
    const deliveryDeadline = Date.now() + 30_000;
    while (pending.size > 0 && Date.now() < deliveryDeadline) {
      for (const sid of [...pending]) {
        if ((await messageStatus(baseUrl, bob, sid)) === 'delivered') pending.delete(sid);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(pending.size, 0, `not delivered after the restart: ${[...pending].join(', ')}`);

    const sortedBefore = [...beforeLatency].sort((x, y) => x - y);
    const sortedDuring = [...duringLatency].sort((x, y) => x - y);
    t.diagnostic(
      `cell-1 accept latency before the kill: p50 ${percentile(sortedBefore, 50).toFixed(2)} ms, p99 ${percentile(sortedBefore, 99).toFixed(2)} ms (n=${sortedBefore.length}); ` +
        `during cell-2's outage and restart: p50 ${percentile(sortedDuring, 50).toFixed(2)} ms, p99 ${percentile(sortedDuring, 99).toFixed(2)} ms (n=${sortedDuring.length}); ` +
        `cell-2 answered 503 ${during.bob.filter((s) => s === 503).length + 1} times before recovering`,
    );
  } finally {
    await running?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
