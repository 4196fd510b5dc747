import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThresholdSyntaxError } from './errors.js';
import { compare, parseThresholdExpression } from './expression.js';
import { parseSelector, tagsMatch } from './selector.js';

test('k6 threshold expressions parse', () => {
  assert.deepEqual(parseThresholdExpression('p(99)<200'), {
    source: 'p(99)<200',
    aggregation: 'p',
    percentile: 99,
    operator: '<',
    value: 200,
  });
  assert.deepEqual(parseThresholdExpression(' p( 99.9 ) <= 1e3 '), {
    source: 'p( 99.9 ) <= 1e3',
    aggregation: 'p',
    percentile: 99.9,
    operator: '<=',
    value: 1000,
  });
  for (const [text, aggregation, operator, value] of [
    ['avg<100', 'avg', '<', 100],
    ['min>=0.5', 'min', '>=', 0.5],
    ['med > 1', 'med', '>', 1],
    ['max<2000', 'max', '<', 2000],
    ['count==0', 'count', '==', 0],
    ['rate<0.01', 'rate', '<', 0.01],
    ['value!=3', 'value', '!=', 3],
  ] as const) {
    const parsed = parseThresholdExpression(text);
    assert.deepEqual(
      [parsed.aggregation, parsed.operator, parsed.value],
      [aggregation, operator, value],
      text,
    );
  }
});

test('bad expressions give clear errors', () => {
  const cases: [string, RegExp][] = [
    ['p99<200', /unknown aggregation 'p99' \(percentiles are written p\(N\)/],
    ['mean<3', /unknown aggregation 'mean' \(expected p\(N\), avg/],
    ['p(101)<3', /percentile in 'p\(101\)' must be a number from 0 to 100/],
    ['p(x)<3', /must be a number from 0 to 100/],
    ['avg 3', /missing comparison operator/],
    ['avg=3', /'=' is not an operator; use '=='/],
    ['avg<', /missing the number after '<'/],
    ['avg<200ms', /'200ms' is not a number/],
    ['', /expected '<aggregation> <operator> <number>'/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseThresholdExpression(text),
      (error: unknown) =>
        error instanceof ThresholdSyntaxError &&
        error.code === 'THRESHOLD_INVALID' &&
        pattern.test(error.message),
      text,
    );
  }
});

test('comparison operators', () => {
  assert.equal(compare(1, '<', 2), true);
  assert.equal(compare(2, '<', 2), false);
  assert.equal(compare(2, '<=', 2), true);
  assert.equal(compare(3, '>', 2), true);
  assert.equal(compare(2, '>=', 2), true);
  assert.equal(compare(2, '==', 2), true);
  assert.equal(compare(2, '!=', 2), false);
});

test('selectors parse metric and tags; matching is by tag subset', () => {
  assert.deepEqual(parseSelector('http_req_duration{scenario:storm, phase:peak}'), {
    source: 'http_req_duration{scenario:storm, phase:peak}',
    metric: 'http_req_duration',
    tags: { scenario: 'storm', phase: 'peak' },
  });
  assert.deepEqual(parseSelector('checks').tags, {});
  assert.deepEqual(parseSelector('http_req_duration{url:http://x:1/a}').tags, { url: 'http://x:1/a' });
  for (const [bad, pattern] of [
    ['{a:b}', /missing the metric name/],
    ['m{a:b', /expected '}' at the end/],
    ['m{a}', /tag 'a' must be written key:value/],
    ['m{a:b,a:c}', /tag 'a' appears twice/],
    ['m{a:}', /tag 'a' has an empty value/],
    ['9m', /'9m' is not a metric name/],
  ] as const) {
    assert.throws(() => parseSelector(bad), pattern, bad);
  }
  assert.equal(tagsMatch({ scenario: 'a' }, { scenario: 'a', phase: 'b' }), true);
  assert.equal(tagsMatch({ scenario: 'a', phase: 'c' }, { scenario: 'a', phase: 'b' }), false);
  assert.equal(tagsMatch({}, { scenario: 'a' }), true);
  assert.equal(tagsMatch({ region: 'us1' }, { scenario: 'a' }), false);
});
