/**
 * The real thing: a process running a journaled super-network is SIGKILLed while its carriers
 * still owe receipts (some messages already on the handset, some not yet), and a fresh network
 * on the same journal directory finishes every one of them exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSuperNetwork } from './super-network.js';
import { crashCarriers } from './testing/crash-fixture.js';
import type { DeliveryReceipt, OutboundSms } from './types.js';

const child = fileURLToPath(new URL('./testing/journal-crash-child.js', import.meta.url));
const COUNT = 40;

interface ChildReport {
  delivered: OutboundSms[];
  owed: OutboundSms[];
}

async function runUntilReportThenKill(dir: string): Promise<ChildReport> {
  const proc = spawn(process.execPath, [child, dir, String(COUNT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const lines = createInterface({ input: proc.stdout });
  try {
    const report = await new Promise<ChildReport>((resolve, reject) => {
      lines.once('line', (line) => resolve(JSON.parse(line) as ChildReport));
      proc.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    proc.kill('SIGKILL');
    return report;
  } finally {
    proc.kill('SIGKILL');
    await exited;
  }
}

test('SIGKILL with receipts owed: the restarted carriers finish every message exactly once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { delivered, owed } = await runUntilReportThenKill(dir);
  assert.equal(delivered.length, COUNT);
  assert.equal(owed.length, COUNT);
  // As if the kill had landed in the middle of a write.
  appendFileSync(join(dir, 'us-fast.journal'), '{"k":"c","id":"tor');

  const net = await createSuperNetwork({ carriers: crashCarriers(), journalDir: dir });
  t.after(() => net.close());
  const receipts: DeliveryReceipt[] = [];
  net.onReceipt((r) => {
    receipts.push(r);
  });
  const deadline = Date.now() + 20_000;
  while (receipts.length < 2 * COUNT && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const expected = [...delivered, ...owed].map((m) => `${m.messageSid}/${m.accountSid}/delivered`).sort();
  assert.deepEqual(receipts.map((r) => `${r.messageSid}/${r.accountSid}/${r.status}`).sort(), expected);
  // Already on the handset before the kill: not again. Not yet delivered: now, once.
  for (const m of delivered) assert.equal(net.handsets.inboxNow(m.to).length, 0, m.to);
  for (const m of owed) {
    assert.deepEqual(
      net.handsets.inboxNow(m.to).map((x) => x.messageSid),
      [m.messageSid],
      m.to,
    );
  }
});
