import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarrierJournal } from './carrier-journal.js';
import type { JournaledMessage } from './carrier-journal.js';

function journalPath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'carrier-journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'us-a.journal');
}

function message(id: string, extra: Partial<JournaledMessage> = {}): JournaledMessage {
  return {
    id,
    from: '+15005550006',
    to: '+14155550100',
    body: 'line one\nline two "quoted" 😀',
    mediaUrls: ['https://example.com/a.png'],
    messageSid: 'SM' + id.padStart(32, '0'),
    accountSid: 'AC' + 'b'.repeat(32),
    submittedAt: 1_700_000_000_000,
    validUntil: null,
    wantsReceipt: true,
    receiptDueAt: 1_700_000_000_500,
    ...extra,
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

test('records of one turn reach the file in one flush, after the turn, and replay intact', async (t) => {
  const path = journalPath(t);
  let flushes = 0;
  const { journal, pending } = CarrierJournal.open(path, { onFlushed: () => flushes++ });
  assert.deepEqual(pending, []);
  journal.accepted(message('a1'));
  journal.accepted(message('a2', { validUntil: 1_700_000_100_000, wantsReceipt: false }));
  journal.outcome('a1', { stat: 'DELIVRD', err: '000', doneAt: 1_700_000_000_400 });
  assert.equal(readFileSync(path, 'utf8'), '', 'nothing is written before the turn ends');
  await nextTurn();
  assert.equal(flushes, 1);
  assert.equal(lines(path).length, 3);
  journal.close();

  const reopened = CarrierJournal.open(path);
  t.after(() => reopened.journal.close());
  assert.equal(reopened.skippedLines, 0);
  assert.deepEqual(reopened.pending, [
    { message: message('a1'), outcome: { stat: 'DELIVRD', err: '000', doneAt: 1_700_000_000_400 } },
    { message: message('a2', { validUntil: 1_700_000_100_000, wantsReceipt: false }), outcome: null },
  ]);
});

test('a torn last line (crash mid-write) is ignored and does not corrupt the next record', async (t) => {
  const path = journalPath(t);
  const first = CarrierJournal.open(path);
  first.journal.accepted(message('b1'));
  first.journal.accepted(message('b2'));
  first.journal.close();
  const text = readFileSync(path, 'utf8');
  const secondLineStart = text.indexOf('\n') + 1;
  writeFileSync(path, text.slice(0, secondLineStart + 40)); // b2 cut in the middle, no newline

  const second = CarrierJournal.open(path);
  assert.equal(second.skippedLines, 1);
  assert.deepEqual(
    second.pending.map((p) => p.message.id),
    ['b1'],
  );
  second.journal.accepted(message('b3'));
  second.journal.close();

  const third = CarrierJournal.open(path);
  t.after(() => third.journal.close());
  assert.equal(third.skippedLines, 0);
  assert.deepEqual(
    third.pending.map((p) => p.message.id),
    ['b1', 'b3'],
  );
});

test('a corrupt line in the middle is skipped, the records around it survive', (t) => {
  const path = journalPath(t);
  const first = CarrierJournal.open(path);
  first.journal.accepted(message('c1'));
  first.journal.close();
  appendFileSync(path, '{"k":"a","id":"c2","from":42}\nnot json at all\n');
  const second = CarrierJournal.open(path);
  second.journal.accepted(message('c3'));
  second.journal.close();
  const third = CarrierJournal.open(path);
  t.after(() => third.journal.close());
  assert.deepEqual(
    third.pending.map((p) => p.message.id),
    ['c1', 'c3'],
  );
});

test('opening compacts the file to the pending records only', async (t) => {
  const path = journalPath(t);
  const first = CarrierJournal.open(path);
  for (const id of ['d1', 'd2', 'd3', 'd4']) first.journal.accepted(message(id));
  first.journal.outcome('d2', { stat: 'UNDELIV', err: '027', doneAt: 1_700_000_000_450 });
  first.journal.outcome('d3', { stat: 'DELIVRD', err: '000', doneAt: 1_700_000_000_460 });
  first.journal.completed('d1');
  first.journal.completed('d3');
  first.journal.completed('unknown-id'); // never accepted: ignored, not written
  await nextTurn();
  assert.equal(lines(path).length, 8);
  first.journal.close();

  const second = CarrierJournal.open(path);
  t.after(() => second.journal.close());
  assert.equal(second.journal.pendingCount, 2);
  const kept = lines(path).map((l) => JSON.parse(l) as { k: string; id: string });
  assert.deepEqual(
    kept.map((r) => `${r.k}:${r.id}`),
    ['a:d2', 'o:d2', 'a:d4'],
  );
  assert.deepEqual(
    second.pending.map((p) => [p.message.id, p.outcome?.stat ?? null]),
    [
      ['d2', 'UNDELIV'],
      ['d4', null],
    ],
  );
});

test('past compactAfterBytes the running journal rewrites itself to the pending records', async (t) => {
  const path = journalPath(t);
  const { journal } = CarrierJournal.open(path, { compactAfterBytes: 2000 });
  t.after(() => journal.close());
  for (let i = 0; i < 20; i++) {
    journal.accepted(message(`e${i}`));
    if (i !== 7) journal.completed(`e${i}`);
    await nextTurn();
  }
  const ids = lines(path).map((l) => (JSON.parse(l) as { k: string; id: string }).id);
  assert.ok(ids.length < 20, `compacted (${ids.length} lines)`);
  assert.ok(ids.includes('e7'), 'the pending message survives the rewrite');
  journal.close();
  const reopened = CarrierJournal.open(path);
  t.after(() => reopened.journal.close());
  assert.deepEqual(
    reopened.pending.map((p) => p.message.id),
    ['e7'],
  );
});

test('records are exactly the JSON of their fields (the hand-built lines match JSON.stringify)', async (t) => {
  const path = journalPath(t);
  const { journal } = CarrierJournal.open(path);
  const withMedia = message('f1', { validUntil: 1_700_000_100_000 });
  const bare = message('f2', { mediaUrls: [], messageSid: null, accountSid: null, wantsReceipt: false });
  journal.accepted(withMedia);
  journal.accepted(bare);
  journal.outcome('f1', { stat: 'UNDELIV', err: '027', doneAt: 1_700_000_000_450 });
  journal.completed('f2');
  await nextTurn();
  journal.close();
  const record = (m: JournaledMessage): string =>
    JSON.stringify({
      k: 'a',
      id: m.id,
      from: m.from,
      to: m.to,
      body: m.body,
      media: m.mediaUrls,
      sid: m.messageSid,
      acct: m.accountSid,
      sub: m.submittedAt,
      valid: m.validUntil,
      rcpt: m.wantsReceipt,
      due: m.receiptDueAt,
    });
  assert.deepEqual(lines(path), [
    record(withMedia),
    record(bare),
    JSON.stringify({ k: 'o', id: 'f1', stat: 'UNDELIV', err: '027', done: 1_700_000_000_450 }),
    JSON.stringify({ k: 'c', id: 'f2' }),
  ]);
});
