import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseXml } from '@twilio-lab/core';
import type { XmlElement } from '@twilio-lab/core';
import type { RunMetrics, Series } from '../metrics.js';
import { evaluateThresholds } from '../budgets/evaluate.js';
import type { Threshold } from '../budgets/evaluate.js';
import { parseThresholdExpression } from '../budgets/expression.js';
import { decodeHistogram } from '../budgets/histogram.js';
import { parseSelector } from '../budgets/selector.js';
import { counterOf, rateOf, trendOf } from '../budgets/testing.js';
import { renderHtmlReport, writeHtmlReport } from './html.js';
import { buildJsonSummary, writeJsonSummary } from './json-summary.js';
import { formatJUnit } from './junit.js';
import { formatTimeSeriesNdjson, writeTimeSeriesNdjson } from './ndjson.js';
import { formatSummaryTable } from './table.js';

/** 10 s of a run: 1..100 ms latencies each second, one failure per second, 100 iterations/s. */
function sampleRun(): RunMetrics {
  const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
  const windows = Array.from({ length: 10 }, (_, i) => ({
    startMs: i * 1000,
    endMs: (i + 1) * 1000,
    series: [
      trendOf('http_req_duration', { scenario: 'storm', status: '201' }, latencies),
      rateOf('http_req_failed', { scenario: 'storm' }, 1, 100),
      counterOf('iterations', { scenario: 'storm' }, 100),
      ...(i === 4 ? [counterOf('dropped_iterations', { scenario: 'storm' }, 3)] : []),
    ] as Series[],
  }));
  const total: Series[] = [
    trendOf(
      'http_req_duration',
      { scenario: 'storm', status: '201' },
      Array.from({ length: 10 }, () => latencies).flat(),
    ),
    rateOf('http_req_failed', { scenario: 'storm' }, 10, 1000),
    counterOf('iterations', { scenario: 'storm' }, 1000),
    counterOf('dropped_iterations', { scenario: 'storm' }, 3),
  ];
  return { total, windows };
}

function threshold(selector: string, expression: string, windowMs?: number): Threshold {
  const t: Threshold = {
    selector: parseSelector(selector),
    expression: parseThresholdExpression(expression),
    abortOnFail: false,
    delayAbortEvalMs: 0,
  };
  if (windowMs !== undefined) t.windowMs = windowMs;
  return t;
}

const metrics = sampleRun();
const results = evaluateThresholds(
  [
    threshold('http_req_duration{scenario:storm}', 'p(99)<200'),
    threshold('http_req_failed', 'rate<0.005'),
    threshold('http_req_duration', 'max<50', 2000),
  ],
  metrics,
);

test('the end-of-run table lists every series with stats and every threshold with ✓/✗', () => {
  const text = formatSummaryTable(metrics, results);
  const lines = text.split('\n');
  assert.match(lines[0] ?? '', /^metric \(ms\)\s+count\s+avg\s+p50\s+p90\s+p95\s+p99\s+max$/);
  assert.match(
    text,
    /http_req_duration\{scenario:storm,status:201\}\s+1000\s+50\.5\s+50\.0\s+90\.0\s+95\.0\s+99\.0\s+100/,
  );
  assert.match(text, /http_req_failed\{scenario:storm\}\s+10\/1000\s+1\.00%/);
  assert.match(text, /iterations\{scenario:storm\}\s+1000\s+100\.00\/s/);
  assert.match(text, /✓ http_req_duration\{scenario:storm\} p\(99\)<200 \(observed 99\.0\d*\)/);
  assert.match(text, /✗ http_req_failed rate<0\.005 \(observed 0\.01\)/);
  assert.match(
    text,
    /✗ http_req_duration max<50 \(observed 100\.\d+, worst 2s window at 0s; 9\/9 windows failed\)/,
  );
});

test('the JSON summary keeps stats, encoded histograms, thresholds and compare samples', async () => {
  const summary = buildJsonSummary({
    scenario: 'storm',
    startedAt: '2025-01-01T00:00:00.000Z',
    metrics,
    thresholds: results,
    samples: { calibrationThroughput: 40_000, latencyWindowMs: 2000 },
    extra: { reconciliation: { lost: 0 } },
  });
  assert.equal(summary.version, 1);
  assert.equal(summary.durationMs, 10_000);
  assert.equal(summary.ok, false);
  const trend = summary.metrics.find((m) => m.metric === 'http_req_duration');
  assert.equal(trend?.trend?.count, 1000);
  assert.equal(decodeHistogram(trend?.histogram ?? '').totalCount, 1000);
  assert.equal(summary.metrics.find((m) => m.metric === 'iterations')?.histogram, undefined);
  assert.deepEqual(summary.samples.throughputPerSecond, Array(10).fill(100));
  assert.equal(summary.samples.p99PerWindowMs.length, 5);
  assert.equal(summary.samples.calibrationThroughput, 40_000);
  assert.deepEqual(summary.extra, { reconciliation: { lost: 0 } });
  const dir = await mkdtemp(join(tmpdir(), 'summary-'));
  try {
    await writeJsonSummary(join(dir, 's.json'), summary);
    assert.deepEqual(
      JSON.parse(await readFile(join(dir, 's.json'), 'utf8')),
      JSON.parse(JSON.stringify(summary)),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('NDJSON has one line per window per series, with percentiles for trends', async () => {
  const text = formatTimeSeriesNdjson(metrics);
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(lines.length, 10 * 3 + 1);
  const first = lines[0];
  assert.equal(first?.metric, 'http_req_duration');
  assert.equal(first?.startMs, 0);
  assert.equal(first?.count, 100);
  assert.ok(Math.abs((first?.p99 as number) - 99) < 0.1);
  assert.deepEqual(lines[1], {
    startMs: 0,
    endMs: 1000,
    metric: 'http_req_failed',
    type: 'rate',
    tags: { scenario: 'storm' },
    trues: 1,
    total: 100,
    rate: 0.01,
  });
  assert.deepEqual(lines[2], {
    startMs: 0,
    endMs: 1000,
    metric: 'iterations',
    type: 'counter',
    tags: { scenario: 'storm' },
    value: 100,
  });
  const dir = await mkdtemp(join(tmpdir(), 'ndjson-'));
  try {
    await writeTimeSeriesNdjson(join(dir, 't.ndjson'), metrics);
    assert.equal(await readFile(join(dir, 't.ndjson'), 'utf8'), text);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function elements(node: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = node.name === name ? [node] : [];
  for (const child of node.children) if (typeof child !== 'string') found.push(...elements(child, name));
  return found;
}

test('JUnit XML is well formed: one testcase per threshold, failures carry the observed value', () => {
  const text = formatJUnit(results, {
    suiteName: 'storm <&> "quoted"',
    durationMs: 10_000,
    timestamp: '2025-01-01T00:00:00Z',
    extraChecks: [
      { name: 'reconciliation', ok: true },
      { name: 'rate attainment', ok: false, message: 'offered 80/s of 100/s' },
    ],
  });
  const root = parseXml(text);
  assert.equal(root.name, 'testsuites');
  assert.equal(root.attrs.tests, '5');
  assert.equal(root.attrs.failures, '3');
  const suite = elements(root, 'testsuite')[0];
  assert.equal(suite?.attrs.name, 'storm <&> "quoted"');
  assert.equal(suite?.attrs.time, '10.000');
  const cases = elements(root, 'testcase');
  assert.deepEqual(
    cases.map((c) => c.attrs.name),
    [
      'http_req_duration{scenario:storm} p(99)<200',
      'http_req_failed rate<0.005',
      'http_req_duration max<50',
      'reconciliation',
      'rate attainment',
    ],
  );
  const failures = elements(root, 'failure');
  assert.equal(failures.length, 3);
  assert.equal(failures[0]?.attrs.message, 'rate<0.005: observed 0.01');
  assert.equal(failures[2]?.attrs.message, 'offered 80/s of 100/s');
});

test('the HTML report is self-contained: charts, tables and annotations, no external reference', async () => {
  const html = renderHtmlReport({
    title: 'storm <report>',
    metrics,
    thresholds: results,
    annotations: [
      { atMs: 2000, label: 'peak', kind: 'phase' },
      { atMs: 5000, label: 'latency us1->eu1', kind: 'fault' },
    ],
    subtitle: ['scenario storm'],
  });
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /https?:\/\//i, 'no http(s) URL anywhere');
  assert.doesNotMatch(html, /<(script|link|img|iframe)\b[^>]*\b(src|href)=/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  assert.match(html, /<title>storm &lt;report&gt;<\/title>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 4, 'latency, spectrum, throughput, errors');
  assert.match(html, /http_req_duration per second/);
  assert.match(html, /percentile spectrum \(1000 samples\)/);
  assert.match(html, /latency us1-&gt;eu1/);
  assert.match(html, /✗ http_req_failed/);
  assert.match(html, />99\.9%</);
  const dir = await mkdtemp(join(tmpdir(), 'html-'));
  try {
    await writeHtmlReport(join(dir, 'r.html'), { title: 'empty', metrics: { total: [], windows: [] } });
    const empty = await readFile(join(dir, 'r.html'), 'utf8');
    assert.match(empty, /no http_req_duration samples/);
    assert.match(empty, /nothing recorded/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
