import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, formatReport, type GatewayFigures } from './report.js';
import { parseVmRss, rssSlopeMbPerMin } from './memory.js';

const FIGURES: GatewayFigures = {
  calibration: { rps: 100_000, p50: 0.5, p99: 1 },
  lab: { msgsPerSec: 40_000, p50: 1, p99: 4, non2xx: 0, errors: 0 },
  halfRate: { targetRate: 20_000, achievedRps: 19_990, p50: 1, p99: 3 },
  delivery: {
    accepted: 600_000,
    terminal: 600_000,
    delivered: 600_000,
    undelivered: 0,
    failed: 0,
    stored: 600_000,
  },
  rss: { idleMb: 120, peakMb: 400, soakSlopeMbPerMin: null, soakSeconds: 0 },
};

test('buildReport computes the ratio and passes every target on a good run', () => {
  const r = buildReport(FIGURES);
  assert.equal(r.ratio, 0.4);
  assert.equal(r.lost, 0);
  assert.deepEqual(
    r.targets.map((t) => t.pass),
    [true, true, true, true, true],
  );
});

test('buildReport fails each target on its own and counts lost messages', () => {
  const r = buildReport({
    ...FIGURES,
    lab: { ...FIGURES.lab, msgsPerSec: 30_000 },
    halfRate: { ...FIGURES.halfRate, p99: 11 },
    delivery: { ...FIGURES.delivery, terminal: 599_990, delivered: 599_000, undelivered: 990 },
    rss: { ...FIGURES.rss, idleMb: 300, peakMb: 1024 },
  });
  assert.deepEqual(
    r.targets.map((t) => t.pass),
    [false, false, false, false, false],
  );
  assert.equal(r.lost, 10);
  assert.match(formatReport(r), /LOST 10/);
  assert.match(formatReport(r), /p99 at half rate\s+<= 10 ms\s+11 ms\s+FAIL/);
});

test('parseVmRss reads kB from /proc/<pid>/status', () => {
  assert.equal(parseVmRss('Name:\tnode\nVmRSS:\t  204800 kB\nVmSwap:\t0 kB\n'), 200 * 1024 * 1024);
  assert.equal(parseVmRss('Name:\tnode\n'), null);
});

test('rssSlopeMbPerMin fits the second half only', () => {
  // Warm-up jump in the first half, then +2 MB per minute.
  const samples = [
    { atMs: 0, bytes: 100 * 1024 * 1024 },
    { atMs: 60_000, bytes: 300 * 1024 * 1024 },
    { atMs: 120_000, bytes: 300 * 1024 * 1024 },
    { atMs: 180_000, bytes: 302 * 1024 * 1024 },
    { atMs: 240_000, bytes: 304 * 1024 * 1024 },
    { atMs: 300_000, bytes: 306 * 1024 * 1024 },
  ];
  const slope = rssSlopeMbPerMin(samples);
  assert.ok(slope !== null && Math.abs(slope - 2) < 1e-9, `slope ${slope}`);
  assert.equal(rssSlopeMbPerMin(samples.slice(0, 2)), null);
});

test('real engines: end-to-end throughput and accept p99 become targets of their own', () => {
  const good = buildReport({
    ...FIGURES,
    backend: 'real',
    endToEnd: {
      targetRate: 3000,
      accepted: 30_000,
      delivered: 30_000,
      acceptP50: 4,
      acceptP99: 20,
      deliveredPerSec: 3100,
    },
  });
  assert.deepEqual(
    good.targets.slice(0, 2).map((t) => [t.name.startsWith('end to end'), t.pass]),
    [
      [true, true],
      [false, true],
    ],
  );
  const slow = buildReport({
    ...FIGURES,
    backend: 'real',
    endToEnd: {
      targetRate: 3000,
      accepted: 30_000,
      delivered: 30_000,
      acceptP50: 4,
      acceptP99: 40,
      deliveredPerSec: 2000,
    },
  });
  assert.deepEqual(
    slow.targets.slice(0, 2).map((t) => t.pass),
    [false, false],
  );
  assert.match(formatReport(slow), /backend: real/);
  assert.match(formatReport(slow), /end to end at 3000\/s/);
});
