/**
 * `http`: one request. with: { method (GET), path (against the target, `{AccountSid}`
 * substituted, account Basic auth unless auth: 'none') or url (absolute, no auth), headers,
 * body (string) | form (map, form-encoded) | json (any, JSON), expectStatus (number or list;
 * default: any status below 400) }.
 */
import { encodeForm } from '@twilio-lab/core';
import type { Dispatcher } from 'undici';
import { METRICS } from '../../metrics.js';
import { nowMs } from '../clock.js';
import { BenchRuntimeError } from '../errors.js';
import type { RateHandle, TrendHandle } from '../recorder.js';
import { basicAuth, optionalRecord, optionalString, rejectUnknown } from './params.js';
import type { Flow, FlowContext, FlowDefinition, FlowEnv } from './types.js';

const KEYS = ['method', 'path', 'url', 'headers', 'body', 'form', 'json', 'expectStatus', 'auth'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** A request fully resolved once per flow, so iterations only send it. */
export interface PreparedRequest {
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string | undefined;
  /** undefined: any status below 400 is expected. */
  expectStatus: ReadonlySet<number> | undefined;
}

function expectedStatuses(value: unknown, path: string): ReadonlySet<number> | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => Number.isInteger(v) && v >= 100 && v <= 599))
    throw new BenchRuntimeError(
      'FLOW_INVALID',
      `${path}.expectStatus: must be an HTTP status or a list of them`,
      `${path}.expectStatus`,
    );
  return new Set(list as number[]);
}

export function prepareHttpRequest(
  params: Record<string, unknown>,
  baseUrl: string,
  accountSid: string,
  authToken: string,
  path: string,
): PreparedRequest {
  rejectUnknown(params, KEYS, path);
  const method = (optionalString(params, 'method', path) ?? 'GET').toUpperCase();
  if (!METHODS.includes(method))
    throw new BenchRuntimeError(
      'FLOW_INVALID',
      `${path}.method: unsupported method ${method}`,
      `${path}.method`,
    );
  const relative = optionalString(params, 'path', path);
  const absolute = optionalString(params, 'url', path);
  if ((relative === undefined) === (absolute === undefined))
    throw new BenchRuntimeError('FLOW_INVALID', `${path}: give exactly one of path or url`, path);
  const auth = optionalString(params, 'auth', path) ?? (relative !== undefined ? 'account' : 'none');
  if (auth !== 'account' && auth !== 'none')
    throw new BenchRuntimeError('FLOW_INVALID', `${path}.auth: must be 'account' or 'none'`, `${path}.auth`);
  const bodyKinds = ['body', 'form', 'json'].filter((k) => params[k] !== undefined);
  if (bodyKinds.length > 1)
    throw new BenchRuntimeError('FLOW_INVALID', `${path}: give at most one of body, form, json`, path);

  let url: URL;
  try {
    // `path` is appended to the base URL (which may carry a prefix of its own).
    const joined =
      relative !== undefined
        ? `${baseUrl.replace(/\/+$/, '')}/${relative.replaceAll('{AccountSid}', accountSid).replace(/^\/+/, '')}`
        : absolute!;
    url = new URL(joined);
  } catch {
    throw new BenchRuntimeError('FLOW_INVALID', `${path}: not a valid URL`, path);
  }

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(optionalRecord(params, 'headers', path) ?? {}))
    headers[k.toLowerCase()] = v;
  if (auth === 'account' && headers.authorization === undefined)
    headers.authorization = basicAuth(accountSid, authToken);

  let body: string | undefined;
  if (params.body !== undefined) {
    body = optionalString(params, 'body', path);
  } else if (params.form !== undefined) {
    const form = optionalRecord(params, 'form', path) ?? {};
    body = encodeForm(form);
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (params.json !== undefined) {
    body = JSON.stringify(params.json);
    headers['content-type'] ??= 'application/json';
  }
  return {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: method as Dispatcher.HttpMethod,
    headers,
    body,
    expectStatus: expectedStatuses(params.expectStatus, path),
  };
}

class HttpFlow implements Flow {
  private readonly durations = new Map<number, TrendHandle>();
  private readonly failed: RateHandle;

  constructor(
    private readonly request: PreparedRequest,
    private readonly env: FlowEnv,
  ) {
    this.failed = env.recorder.rate(METRICS.httpReqFailed, { ...env.tags, method: request.method });
  }

  private duration(status: number): TrendHandle {
    let handle = this.durations.get(status);
    if (handle === undefined) {
      handle = this.env.recorder.trend(METRICS.httpReqDuration, {
        ...this.env.tags,
        method: this.request.method,
        status: String(status),
      });
      this.durations.set(status, handle);
    }
    return handle;
  }

  async run(ctx: FlowContext): Promise<void> {
    const r = this.request;
    let status = 0;
    try {
      const res = await this.env.http.pool(r.origin).request({
        path: r.path,
        method: r.method,
        headers: r.headers,
        body: r.body,
        signal: ctx.signal,
      });
      status = res.statusCode;
      await res.body.dump();
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      // A network error: status 0, counted as failed.
    }
    this.duration(status).recordMs(nowMs() - ctx.intendedMs);
    const ok = status !== 0 && (r.expectStatus === undefined ? status < 400 : r.expectStatus.has(status));
    this.failed.add(!ok);
  }
}

export const httpFlow: FlowDefinition = {
  needsSink: false,
  validate(params, path) {
    prepareHttpRequest(params, 'http://validation.invalid', 'AC', 'token', path);
  },
  create(params, env) {
    return new HttpFlow(
      prepareHttpRequest(params, env.target.baseUrl, env.target.accountSid, env.target.authToken, 'with'),
      env,
    );
  },
};
