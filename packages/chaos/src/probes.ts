/** Steady-state probes: HTTP checks (status, latency, error rate, a JSON value), Prometheus instant queries, callbacks. */
import { performance } from 'node:perf_hooks';
import { ChaosError, errorMessage } from './errors.js';
import type {
  HttpProbeSource,
  Phase,
  ProbeCallback,
  ProbeResult,
  ProbeSpec,
  ProbeStatus,
  Tolerance,
} from './types.js';

export interface ProbeContext {
  vars: Readonly<Record<string, string>>;
  /** Base URL of Prometheus; Prometheus probes are skipped without it. */
  prometheusUrl?: string;
  callbacks: Readonly<Record<string, ProbeCallback>>;
  signal: AbortSignal;
  /** Date.now() of the run's start (ProbeResult.atMs counts from it). */
  startedAt: number;
}

type Value = number | boolean | string;
interface Measured {
  value?: Value;
  /** The probe's own verdict before the tolerance (e.g. a status outside expectStatus). */
  ok: boolean;
  detail?: string;
  skipped?: boolean;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces ${NAME}; throws CHAOS_UNKNOWN_VARIABLE naming the first unknown one. */
export function substitute(text: string, vars: Readonly<Record<string, string>>, where: string): string {
  return text.replace(VAR, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      throw new ChaosError(
        'CHAOS_UNKNOWN_VARIABLE',
        `${where}: \${${name}} has no value; pass it with --var ${name}=… or set it in the environment.`,
      );
    }
    return value;
  });
}

/** Every ${NAME} a probe uses (checked before the run starts, so a typo does not surface mid-fault). */
export function variablesOf(probe: ProbeSpec): string[] {
  const texts: string[] = [];
  const s = probe.source;
  if (s.type === 'http') {
    texts.push(s.url, ...Object.values(s.headers), ...Object.values(s.form ?? {}), s.body ?? '');
    if (s.auth !== undefined) texts.push(s.auth.username, s.auth.password);
  } else if (s.type === 'prometheus') texts.push(s.query);
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(VAR)) names.add(m[1] as string);
  return [...names];
}

export function describeTolerance(t: Tolerance | null | undefined): string | undefined {
  if (t === null || t === undefined) return undefined;
  const parts: string[] = [];
  if (t.equals !== undefined) parts.push(`= ${String(t.equals)}`);
  if (t.min !== undefined) parts.push(`min ${t.min}`);
  if (t.max !== undefined) parts.push(`max ${t.max}`);
  return parts.join(', ');
}

export function withinTolerance(value: Value | undefined, t: Tolerance): boolean {
  if (t.equals !== undefined && value !== t.equals) return false;
  if (t.min === undefined && t.max === undefined) return true;
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  return (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max);
}

/** Runs one probe once in `phase` and judges it against that phase's tolerance. */
export async function runProbe(probe: ProbeSpec, phase: Phase, ctx: ProbeContext): Promise<ProbeResult> {
  const tolerance = probe.phases[phase] ?? null;
  const atMs = Date.now() - ctx.startedAt;
  let measured: Measured;
  try {
    measured = await measure(probe, phase, ctx);
  } catch (err) {
    if (err instanceof ChaosError && err.code === 'CHAOS_UNKNOWN_VARIABLE') throw err;
    measured = { ok: false, detail: errorMessage(err) };
  }
  const toleranceText = describeTolerance(tolerance);
  const result: ProbeResult = { probe: probe.name, phase, atMs, status: 'ok' };
  if (toleranceText !== undefined) result.tolerance = toleranceText;
  if (measured.value !== undefined) result.value = measured.value;
  if (measured.detail !== undefined) result.detail = measured.detail;
  let status: ProbeStatus;
  if (measured.skipped === true) status = 'skipped';
  else if (!measured.ok) status = 'failed';
  else if (tolerance !== null && !withinTolerance(measured.value, tolerance)) status = 'failed';
  else status = 'ok';
  result.status = status;
  return result;
}

async function measure(probe: ProbeSpec, phase: Phase, ctx: ProbeContext): Promise<Measured> {
  const s = probe.source;
  switch (s.type) {
    case 'custom': {
      const callback = ctx.callbacks[s.name];
      if (callback === undefined) {
        return {
          ok: true,
          skipped: true,
          detail: `no callback '${s.name}' was supplied (a bench or test harness provides it)`,
        };
      }
      const got = await callback(phase, ctx.signal);
      if (typeof got === 'object') {
        const m: Measured = { ok: got.ok ?? true };
        if (got.value !== undefined) m.value = got.value;
        if (got.detail !== undefined) m.detail = got.detail;
        return m;
      }
      // A bare boolean is the verdict itself.
      return typeof got === 'boolean' ? { ok: got, value: got } : { ok: true, value: got };
    }
    case 'prometheus': {
      if (ctx.prometheusUrl === undefined)
        return { ok: true, skipped: true, detail: 'PROMETHEUS_URL is not set' };
      const query = substitute(s.query, ctx.vars, `probe ${probe.name}`);
      const url = `${ctx.prometheusUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
      const res = await fetch(url, {
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(s.timeoutMs)]),
      });
      const body = (await res.json()) as {
        status?: string;
        error?: string;
        data?: { resultType?: string; result?: unknown };
      };
      if (res.status >= 400 || body.status !== 'success')
        return { ok: false, detail: `Prometheus: ${body.error ?? `HTTP ${res.status}`}` };
      const value = instantValue(body.data?.resultType, body.data?.result);
      return value === undefined ? { ok: false, detail: `no sample for ${query}` } : { ok: true, value };
    }
    case 'http':
      return measureHttp(probe.name, s, ctx);
  }
}

function instantValue(type: string | undefined, result: unknown): number | undefined {
  if (type === 'scalar' && Array.isArray(result)) return Number(result[1]);
  if (type === 'vector' && Array.isArray(result) && result.length > 0) {
    const first = result[0] as { value?: [number, string] };
    return first.value === undefined ? undefined : Number(first.value[1]);
  }
  return undefined;
}

interface Attempt {
  status: number;
  ms: number;
  error?: string;
  body?: string;
}

async function measureHttp(name: string, s: HttpProbeSource, ctx: ProbeContext): Promise<Measured> {
  const where = `probe ${name}`;
  const url = substitute(s.url, ctx.vars, where);
  const headers: Record<string, string> = { 'user-agent': 'twilio-lab-chaos' };
  for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = substitute(v, ctx.vars, where);
  if (s.auth !== undefined) {
    const user = substitute(s.auth.username, ctx.vars, where);
    const pass = substitute(s.auth.password, ctx.vars, where);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (s.form !== undefined) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(s.form)) form.set(k, substitute(v, ctx.vars, where));
    body = form.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (s.body !== undefined) body = substitute(s.body, ctx.vars, where);
  const keepBody = s.measure.kind === 'json';
  const expected = (status: number): boolean =>
    s.expectStatus.length === 0 ? status > 0 && status < 400 : s.expectStatus.includes(status);

  const attempts: Attempt[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < s.repeat && !ctx.signal.aborted) {
      next++;
      const started = performance.now();
      try {
        const res = await fetch(url, {
          method: s.method,
          headers,
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(s.timeoutMs)]),
        });
        const text = await res.text();
        attempts.push({
          status: res.status,
          ms: performance.now() - started,
          ...(keepBody ? { body: text } : {}),
        });
      } catch (err) {
        const e = err as { name?: string; cause?: unknown };
        const why =
          e.name === 'TimeoutError' ? `no answer within ${s.timeoutMs} ms` : errorMessage(e.cause ?? err);
        attempts.push({ status: 0, ms: performance.now() - started, error: why });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(s.concurrency, s.repeat) }, worker));
  if (attempts.length === 0) return { ok: false, detail: 'aborted before any request' };
  const bad = attempts.filter((a) => !expected(a.status));
  const badDetail =
    bad.length === 0
      ? undefined
      : `${bad.length} of ${attempts.length} requests failed (${[...new Set(bad.map((a) => a.error ?? `HTTP ${a.status}`))].slice(0, 3).join(', ')})`;
  const m = s.measure;
  switch (m.kind) {
    case 'status': {
      const last = attempts[attempts.length - 1] as Attempt;
      return {
        ok: bad.length === 0,
        value: last.status,
        ...(badDetail === undefined ? {} : { detail: badDetail }),
      };
    }
    case 'error_rate':
      return {
        ok: true,
        value: bad.length / attempts.length,
        detail: badDetail ?? `${attempts.length} requests, none failed`,
      };
    case 'latency': {
      const value = round(
        latencyStat(
          attempts.map((a) => a.ms),
          m.stat,
        ),
      );
      return { ok: bad.length === 0, value, detail: badDetail ?? `${attempts.length} requests, ms` };
    }
    case 'json': {
      const last = attempts[attempts.length - 1] as Attempt;
      let value: unknown;
      try {
        value = m.path.reduce<unknown>(
          (node, key) =>
            node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
          JSON.parse(last.body ?? ''),
        );
      } catch {
        return { ok: false, detail: `the answer is not JSON (HTTP ${last.status})` };
      }
      if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') {
        return { ok: false, detail: `no number, boolean or string at ${m.path.join('.')}` };
      }
      return { ok: bad.length === 0, value, ...(badDetail === undefined ? {} : { detail: badDetail }) };
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function latencyStat(samples: number[], stat: 'p50' | 'p95' | 'p99' | 'max' | 'mean'): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (stat === 'max') return sorted[sorted.length - 1] as number;
  if (stat === 'mean') return sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const q = stat === 'p50' ? 0.5 : stat === 'p95' ? 0.95 : 0.99;
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}
