/**
 * Carriers with a journal behave like real SMSCs across a platform restart: what they accepted
 * is delivered and receipted by the next super-network on the same journal directory, to a
 * brand-new platform route that never saw the submits.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CarrierConfig } from './carrier-config.js';
import type { CarrierSimulator } from './carrier-simulator.js';
import { createSuperNetwork } from './super-network.js';
import type { RunningSuperNetwork } from './super-network.js';
import type { DeliveryReceipt, OutboundSms } from './types.js';

function carrier(receiptMs: number): CarrierConfig {
  return {
    name: 'us-a',
    region: 'us1',
    prefixes: ['+1'],
    costPerSegment: 0.01,
    systemId: 'lab',
    password: 'secret',
    submitLatencyMs: { median: 1, p99: 2 },
    receiptLatencyMs: { median: receiptMs, p99: receiptMs },
    outcomes: { delivered: 1, undelivered: 0, failed: 0 },
    seed: 7,
  };
}

function journalDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-restart-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
function sms(to: string): OutboundSms {
  const n = (++counter).toString(16).padStart(32, '0');
  return {
    messageSid: 'SM' + n,
    // A different account per message: the receipt must carry the right one, not a constant.
    accountSid: 'AC' + n,
    from: '+15005550006',
    to,
    body: `journaled ${counter}`,
    encoding: 'GSM-7',
    segments: 1,
    mediaUrls: [],
  };
}

async function start(t: TestContext, dir: string, receiptMs: number): Promise<RunningSuperNetwork> {
  const net = await createSuperNetwork({ carriers: [carrier(receiptMs)], journalDir: dir });
  t.after(() => net.close());
  return net;
}

function collectReceipts(net: RunningSuperNetwork): DeliveryReceipt[] {
  const receipts: DeliveryReceipt[] = [];
  net.onReceipt((r) => {
    receipts.push(r);
  });
  return receipts;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function simulatorOf(net: RunningSuperNetwork): CarrierSimulator {
  const sim = net.simulators[0];
  assert.ok(sim);
  return sim;
}

function inboxSids(net: RunningSuperNetwork, to: string): (string | null)[] {
  return net.handsets.inboxNow(to).map((m) => m.messageSid);
}

test('messages accepted before the platform went down are delivered and receipted after the restart', async (t) => {
  const dir = journalDir(t);
  const first = await start(t, dir, 400);
  const firstReceipts = collectReceipts(first);
  const messages = [sms('+14155550101'), sms('+14155550102'), sms('+14155550103')];
  await Promise.all(messages.map((m) => first.submit(m)));
  // The carrier stalls before any receipt is due, then everything goes down with it.
  simulatorOf(first).pause(60_000);
  assert.equal(simulatorOf(first).journaled, 3);
  await first.close();
  assert.equal(firstReceipts.length, 0, 'no receipt may have come before the crash');
  for (const m of messages) assert.deepEqual(inboxSids(first, m.to), []);

  const second = await start(t, dir, 400);
  const receipts = collectReceipts(second);
  await waitUntil(() => receipts.length >= messages.length, 'every owed receipt arrived');
  assert.deepEqual(
    receipts
      .map((r) => ({
        messageSid: r.messageSid,
        accountSid: r.accountSid,
        status: r.status,
        carrier: r.carrier,
      }))
      .sort((a, b) => a.messageSid.localeCompare(b.messageSid)),
    messages.map((m) => ({
      messageSid: m.messageSid,
      accountSid: m.accountSid,
      status: 'delivered',
      carrier: 'us-a',
    })),
  );
  for (const m of messages) assert.deepEqual(inboxSids(second, m.to), [m.messageSid]);
  // Acknowledged receipts finish the messages: nothing is owed any more.
  await waitUntil(() => simulatorOf(second).journaled === 0, 'the journal has nothing pending');
  await second.close();
  assert.equal(readFileSync(join(dir, 'us-a.journal'), 'utf8').includes('"k":"a"'), true);
  const third = await start(t, dir, 400);
  assert.equal(simulatorOf(third).journaled, 0, 'a finished message is not replayed again');
  assert.equal(readFileSync(join(dir, 'us-a.journal'), 'utf8'), '', 'compacted to nothing');
});

test('a message handed to the handset before the crash, receipt not acknowledged, is not delivered twice', async (t) => {
  const dir = journalDir(t);
  const first = await start(t, dir, 50);
  const firstReceipts = collectReceipts(first);
  const message = sms('+14155550201');
  await first.submit(message);
  // The platform's bind goes away: the carrier delivers to the handset but nobody acks the receipt.
  await first.route('us-a')?.close();
  await first.handsets.waitFor(message.to, { timeoutMs: 5000 });
  assert.equal(simulatorOf(first).journaled, 1, 'still owed: the receipt');
  await first.close();
  assert.equal(firstReceipts.length, 0);

  const second = await start(t, dir, 50);
  const receipts = collectReceipts(second);
  await waitUntil(() => receipts.length >= 1, 'the owed receipt arrived');
  assert.deepEqual(
    receipts.map((r) => [r.messageSid, r.accountSid, r.status]),
    [[message.messageSid, message.accountSid, 'delivered']],
  );
  await waitUntil(() => simulatorOf(second).journaled === 0, 'the journal has nothing pending');
  // Exactly once across the restart: in the first run's inbox, not in the second's.
  assert.deepEqual(inboxSids(first, message.to), [message.messageSid]);
  assert.deepEqual(inboxSids(second, message.to), []);
});

test('without journalDir nothing survives: the restarted network owes nothing', async (t) => {
  const first = await createSuperNetwork({ carriers: [carrier(60_000)] });
  t.after(() => first.close());
  await first.submit(sms('+14155550301'));
  assert.equal(simulatorOf(first).journaled, 0);
  await first.close();
});
