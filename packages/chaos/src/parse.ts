/** Experiment files (YAML or JSON) -> Experiment, with every problem reported with its path and line. */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { checkShape, formatPath, type PathSegment, type RawIssue } from './check.js';
import { parseDuration } from './duration.js';
import { ChaosError, invalid, type ChaosIssue } from './errors.js';
import { compileFault, faultSpecFromEntry } from './faults.js';
import { ExperimentShape, ProbeShape } from './schema.js';
import type { Experiment, Fault, Measure, Phase, ProbeSource, ProbeSpec, Tolerance } from './types.js';

type Json = Record<string, unknown>;

const DEFAULT_INTERVAL_MS = 1000;
const DEFAULT_PROBE_TIMEOUT_MS = 5000;

export async function loadExperimentFile(path: string): Promise<Experiment> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw invalid(path, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parseExperiment(text, path);
}

/** Validates experiment text; throws ChaosError CHAOS_INVALID listing every problem found. */
export function parseExperiment(text: string, source: string): Experiment {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw invalid(
      source,
      document.errors.map((error) => {
        const pos = error.linePos?.[0];
        const message = `YAML syntax: ${error.message.split(' at line ')[0] ?? error.message}`;
        return pos === undefined
          ? { path: '', message }
          : { path: '', message, line: pos.line, col: pos.col };
      }),
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 1000 });
  if (value === null || value === undefined)
    throw invalid(source, [{ path: '', message: 'the file is empty' }]);
  const issues: RawIssue[] = [];
  const experiment = normalise(value, source, issues);
  if (experiment === undefined || issues.length > 0) {
    throw invalid(
      source,
      issues.map((issue) => locate(issue, document, lineCounter)),
    );
  }
  return experiment;
}

function locate(issue: RawIssue, document: Document, lineCounter: LineCounter): ChaosIssue {
  const located: ChaosIssue = { path: formatPath(issue.segments), message: issue.message };
  for (let depth = issue.segments.length; depth >= 0; depth--) {
    const node = document.getIn(issue.segments.slice(0, depth), true) as
      { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    if (offset !== undefined) {
      const position = lineCounter.linePos(offset);
      located.line = position.line;
      located.col = position.col;
      break;
    }
  }
  return located;
}

function normalise(value: unknown, source: string, issues: RawIssue[]): Experiment | undefined {
  if (!checkShape(ExperimentShape, value, [], issues)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  }
  const file = value as Json;
  const faults: Fault[] = [];
  if (Array.isArray(file.faults)) {
    file.faults.forEach((entry: unknown, index) => {
      const at: PathSegment[] = ['faults', index];
      const spec = faultSpecFromEntry(entry, at, issues);
      const fault = spec === undefined ? undefined : compileFault(spec, index, at, issues);
      if (fault !== undefined) faults.push(fault);
    });
  }
  const hypothesisRaw = isMapping(file.hypothesis) ? file.hypothesis : undefined;
  const probes: ProbeSpec[] = [];
  if (hypothesisRaw !== undefined && Array.isArray(hypothesisRaw.probes)) {
    const names = new Set<string>();
    hypothesisRaw.probes.forEach((raw: unknown, index) => {
      const at: PathSegment[] = ['hypothesis', 'probes', index];
      const probe = normaliseProbe(raw, at, issues);
      if (probe === undefined) return;
      if (names.has(probe.name))
        issues.push({ segments: [...at, 'name'], message: `duplicate probe name '${probe.name}'` });
      names.add(probe.name);
      probes.push(probe);
    });
  }
  if (issues.length > 0) return undefined;
  const experiment: Experiment = {
    name: file.name as string,
    source,
    hypothesis: {
      title: (hypothesisRaw?.title as string | undefined) ?? '(no hypothesis: faults only)',
      intervalMs: durationOr(hypothesisRaw?.interval, DEFAULT_INTERVAL_MS),
      probes,
    },
    faults,
    vars: (file.vars as Record<string, string> | undefined) ?? {},
  };
  if (typeof file.description === 'string') experiment.description = file.description;
  if (typeof file.duration === 'string') experiment.durationMs = durationOr(file.duration, 0);
  return experiment;
}

function normaliseProbe(raw: unknown, at: PathSegment[], issues: RawIssue[]): ProbeSpec | undefined {
  if (!checkShape(ProbeShape, raw, at, issues)) return undefined;
  const p = raw as Json;
  const kinds = (['http', 'prometheus', 'custom'] as const).filter((k) => p[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({ segments: at, message: 'needs exactly one of `http`, `prometheus` and `custom`' });
    return undefined;
  }
  const kind = kinds[0] as 'http' | 'prometheus' | 'custom';
  const measureText = p.measure as string | undefined;
  if (measureText !== undefined && kind !== 'http') {
    issues.push({ segments: [...at, 'measure'], message: 'only applies to `http` probes' });
    return undefined;
  }
  let source: ProbeSource;
  if (kind === 'http') {
    const h = p.http as Json;
    const expect = h.expectStatus;
    source = {
      type: 'http',
      url: h.url as string,
      method:
        (h.method as string | undefined) ?? (h.form !== undefined || h.body !== undefined ? 'POST' : 'GET'),
      headers: (h.headers as Record<string, string> | undefined) ?? {},
      expectStatus:
        expect === undefined ? [] : Array.isArray(expect) ? (expect as number[]) : [expect as number],
      timeoutMs: durationOr(h.timeout, DEFAULT_PROBE_TIMEOUT_MS),
      repeat: (h.repeat as number | undefined) ?? 1,
      concurrency: (h.concurrency as number | undefined) ?? 1,
      measure: parseMeasure(measureText ?? 'status'),
    };
    if (h.form !== undefined && h.body !== undefined) {
      issues.push({ segments: [...at, 'http'], message: 'give `form` or `body`, not both' });
      return undefined;
    }
    if (h.form !== undefined) source.form = h.form as Record<string, string>;
    if (h.body !== undefined) source.body = h.body as string;
    if (h.auth !== undefined) source.auth = h.auth as { username: string; password: string };
  } else if (kind === 'prometheus') {
    const q = p.prometheus as Json;
    source = {
      type: 'prometheus',
      query: q.query as string,
      timeoutMs: durationOr(q.timeout, DEFAULT_PROBE_TIMEOUT_MS),
    };
  } else {
    source = { type: 'custom', name: p.custom as string };
  }
  const tolerance = (p.tolerance as Tolerance | undefined) ?? null;
  const phases: ProbeSpec['phases'] = {};
  const rawPhases = p.phases ?? ['before', 'during', 'after'];
  if (Array.isArray(rawPhases)) {
    for (const phase of rawPhases as Phase[]) phases[phase] = tolerance;
  } else {
    for (const [phase, own] of Object.entries(rawPhases as Json))
      phases[phase as Phase] = (own as Tolerance | null) ?? tolerance;
  }
  for (const [phase, t] of Object.entries(phases)) {
    if (t !== null && t !== undefined && t.min !== undefined && t.max !== undefined && t.min > t.max) {
      issues.push({ segments: [...at, 'phases', phase], message: 'min is larger than max' });
    }
  }
  const probe: ProbeSpec = { name: p.name as string, source, phases, abortOnFail: p.abortOnFail === true };
  if (typeof p.until === 'string') {
    if (phases.before === undefined && phases.after === undefined) {
      issues.push({
        segments: [...at, 'until'],
        message: 'applies to the before and after checks; this probe has neither',
      });
    }
    probe.untilMs = durationOr(p.until, 0);
  }
  return probe;
}

export function parseMeasure(text: string): Measure {
  if (text === 'status') return { kind: 'status' };
  if (text === 'error_rate') return { kind: 'error_rate' };
  if (text.startsWith('latency.')) return { kind: 'latency', stat: text.slice(8) as 'p50' };
  if (text.startsWith('json:')) {
    // 'webhooks.dead_letters' or 'items[0].count' -> ['webhooks', 'dead_letters'] / ['items', '0', 'count']
    return {
      kind: 'json',
      path: text
        .slice(5)
        .split(/[.[\]]+/)
        .filter((s) => s !== ''),
    };
  }
  throw new ChaosError('CHAOS_INVALID', `unknown measure '${text}'`);
}

function durationOr(raw: unknown, fallback: number): number {
  return typeof raw === 'string' ? (parseDuration(raw) ?? fallback) : fallback;
}

function isMapping(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
