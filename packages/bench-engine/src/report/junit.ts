import type { ThresholdResult } from '../budgets/evaluate.js';
import { formatThresholdLine } from './table.js';

/** A pass/fail outcome that is not a threshold (reconciliation, rate attainment, …). */
export interface ExtraCheck {
  name: string;
  ok: boolean;
  /** Shown on failure. */
  message?: string;
}

export interface JUnitOptions {
  /** Usually the scenario's name. */
  suiteName: string;
  durationMs?: number;
  /** ISO time the run started. */
  timestamp?: string;
  extraChecks?: readonly ExtraCheck[];
}

/** JUnit XML with one testcase per threshold (and per extra check); failures carry the observed value. */
export function formatJUnit(results: readonly ThresholdResult[], options: JUnitOptions): string {
  const cases: string[] = [];
  let failures = 0;
  const suite = options.suiteName;
  for (const result of results) {
    const name = `${result.selector} ${result.expression}`;
    if (result.ok)
      cases.push(`    <testcase classname="${xml(`${suite}.thresholds`)}" name="${xml(name)}" time="0"/>`);
    else {
      failures++;
      const observed =
        result.observed === null ? (result.reason ?? 'no value') : `observed ${result.observed}`;
      cases.push(
        `    <testcase classname="${xml(`${suite}.thresholds`)}" name="${xml(name)}" time="0">\n` +
          `      <failure type="threshold" message="${xml(`${result.expression}: ${observed}`)}">${xml(formatThresholdLine(result))}</failure>\n` +
          `    </testcase>`,
      );
    }
  }
  for (const check of options.extraChecks ?? []) {
    if (check.ok)
      cases.push(`    <testcase classname="${xml(`${suite}.checks`)}" name="${xml(check.name)}" time="0"/>`);
    else {
      failures++;
      const message = check.message ?? 'failed';
      cases.push(
        `    <testcase classname="${xml(`${suite}.checks`)}" name="${xml(check.name)}" time="0">\n` +
          `      <failure type="check" message="${xml(message)}">${xml(message)}</failure>\n` +
          `    </testcase>`,
      );
    }
  }
  const tests = cases.length;
  const time = ((options.durationMs ?? 0) / 1000).toFixed(3);
  const stamp = options.timestamp === undefined ? '' : ` timestamp="${xml(options.timestamp)}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="twilio-lab bench" tests="${tests}" failures="${failures}" errors="0" time="${time}">\n` +
    `  <testsuite name="${xml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${time}"${stamp}>\n` +
    (cases.length > 0 ? `${cases.join('\n')}\n` : '') +
    `  </testsuite>\n` +
    `</testsuites>\n`
  );
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for XML and drops control characters XML 1.0 cannot carry at all. */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}
