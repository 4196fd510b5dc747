/**
 * `verify.start` and `verify.check`: a phone verification as a user goes through it.
 *
 * verify.start: POST /verify/v2/Services/{VA}/Verifications (To, Channel=sms) to a fresh
 * number, then (unless `check: false`) read the code from that number's simulated handset
 * through the lab control API and POST VerificationCheck with it; `wrongCodeShare` of the
 * iterations first check a wrong code (expecting 200 pending), `resendShare` start twice
 * (the second must reuse the verification). verify.check alone checks the code the handset
 * holds for `to` (a verification started elsewhere).
 *
 * Records http_req_duration per request, verify_start_duration (intended start → 201),
 * verify_code_delivery (201 → code on the handset), verify_check_duration (the right check)
 * and checks: {check: 'approved'}, {check: 'wrong code kept pending'}, {check: 'resend reused'}.
 */
import { threadId } from 'node:worker_threads';
import { encodeForm } from '@twilio-lab/core';
import { METRICS } from '../../metrics.js';
import { nowMs } from '../clock.js';
import { BenchRuntimeError } from '../errors.js';
import type { RateHandle, TrendHandle } from '../recorder.js';
import { basicAuth, optionalNumber, optionalString, rejectUnknown } from './params.js';
import type { Flow, FlowContext, FlowDefinition, FlowEnv } from './types.js';

export const VERIFY_METRICS = {
  start: 'verify_start_duration',
  codeDelivery: 'verify_code_delivery',
  check: 'verify_check_duration',
} as const;

const START_KEYS = [
  'serviceSid',
  'toPrefix',
  'to',
  'check',
  'wrongCodeShare',
  'resendShare',
  'codeTimeoutMs',
] as const;
const CHECK_KEYS = ['serviceSid', 'to', 'codeTimeoutMs'] as const;

interface VerifyParams {
  serviceSid: string | undefined;
  /** A fresh number per iteration: prefix + digits up to E.164's 15 (default '+1555'). */
  toPrefix: string;
  /** A fixed number instead (verify.check, or a start against one handset). */
  to: string | undefined;
  check: boolean;
  wrongCodeShare: number;
  resendShare: number;
  codeTimeoutMs: number;
}

function share(params: Record<string, unknown>, key: string, path: string): number {
  const value = optionalNumber(params, key, path) ?? 0;
  if (value > 1)
    throw new BenchRuntimeError('FLOW_INVALID', `${path}.${key}: a share between 0 and 1`, `${path}.${key}`);
  return value;
}

function readParams(params: Record<string, unknown>, path: string, keys: readonly string[]): VerifyParams {
  rejectUnknown(params, keys, path);
  const check = params.check;
  if (check !== undefined && typeof check !== 'boolean')
    throw new BenchRuntimeError('FLOW_INVALID', `${path}.check: must be true or false`, `${path}.check`);
  const toPrefix = optionalString(params, 'toPrefix', path) ?? '+1555';
  if (!/^\+[1-9]\d{0,7}$/.test(toPrefix))
    throw new BenchRuntimeError(
      'FLOW_INVALID',
      `${path}.toPrefix: '+' and 1-8 digits, e.g. '+1555'`,
      `${path}.toPrefix`,
    );
  return {
    serviceSid: optionalString(params, 'serviceSid', path),
    toPrefix,
    to: optionalString(params, 'to', path),
    check: check !== false,
    wrongCodeShare: share(params, 'wrongCodeShare', path),
    resendShare: share(params, 'resendShare', path),
    codeTimeoutMs: optionalNumber(params, 'codeTimeoutMs', path) ?? 10_000,
  };
}

class VerifyFlow implements Flow {
  private readonly origin: string;
  private readonly servicePath: string;
  private readonly auth: string;
  private readonly admin: string;
  private readonly numberDigits: number;
  private counter = 0;
  private wrongAccumulator = 0;
  private resendAccumulator = 0;
  private readonly durations = new Map<string, TrendHandle>();
  private readonly failed: RateHandle;
  private readonly startTrend: TrendHandle;
  private readonly deliveryTrend: TrendHandle;
  private readonly checkTrend: TrendHandle;
  private readonly approved: RateHandle;
  private readonly wrongKeptPending: RateHandle;
  private readonly resendReused: RateHandle;

  constructor(
    private readonly p: VerifyParams,
    private readonly env: FlowEnv,
    private readonly startsVerification: boolean,
  ) {
    if (p.serviceSid === undefined)
      throw new BenchRuntimeError(
        'FLOW_INVALID',
        'verify flows need with.serviceSid, or setup.verifyServices to create one',
        'with.serviceSid',
      );
    if (env.target.adminToken === undefined)
      throw new BenchRuntimeError(
        'FLOW_INVALID',
        "verify flows read codes from the simulated handsets: the lab's admin token is needed (--admin-token, or let bench start the lab)",
        'target.adminToken',
      );
    const base = new URL(env.target.baseUrl);
    this.origin = base.origin;
    const prefix = base.pathname.replace(/\/+$/, '');
    this.servicePath = `${prefix}/verify/v2/Services/${p.serviceSid}`;
    this.auth = basicAuth(env.target.accountSid, env.target.authToken);
    this.admin = `Bearer ${env.target.adminToken}`;
    this.numberDigits = 15 - (p.toPrefix.length - 1);
    const r = env.recorder;
    this.failed = r.rate(METRICS.httpReqFailed, env.tags);
    this.startTrend = r.trend(VERIFY_METRICS.start, env.tags);
    this.deliveryTrend = r.trend(VERIFY_METRICS.codeDelivery, env.tags);
    this.checkTrend = r.trend(VERIFY_METRICS.check, env.tags);
    this.approved = r.rate(METRICS.checks, { ...env.tags, check: 'approved' });
    this.wrongKeptPending = r.rate(METRICS.checks, { ...env.tags, check: 'wrong code kept pending' });
    this.resendReused = r.rate(METRICS.checks, { ...env.tags, check: 'resend reused' });
  }

  /** A number no other iteration (of any worker) uses: the thread id keeps workers apart. */
  private freshNumber(): string {
    const n =
      (threadId % 100) * 10 ** (this.numberDigits - 2) + (this.counter++ % 10 ** (this.numberDigits - 2));
    return `${this.p.toPrefix}${String(n).padStart(this.numberDigits, '0')}`;
  }

  private duration(name: string, status: number): TrendHandle {
    const key = `${name} ${status}`;
    let handle = this.durations.get(key);
    if (handle === undefined) {
      handle = this.env.recorder.trend(METRICS.httpReqDuration, {
        ...this.env.tags,
        method: name === 'inbox' ? 'GET' : 'POST',
        name,
        status: String(status),
      });
      this.durations.set(key, handle);
    }
    return handle;
  }

  private async call(
    name: string,
    method: 'GET' | 'POST',
    path: string,
    authorization: string,
    form: Record<string, string> | undefined,
    signal: AbortSignal,
    since: number,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    let status = 0;
    let body: Record<string, unknown> = {};
    try {
      const res = await this.env.http.pool(this.origin).request({
        path,
        method,
        headers: {
          authorization,
          ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(form === undefined ? {} : { body: encodeForm(form) }),
        signal,
      });
      status = res.statusCode;
      body = (await res.body.json()) as Record<string, unknown>;
    } catch (err) {
      if (signal.aborted) throw err;
    }
    this.duration(name, status).recordMs(nowMs() - since);
    this.failed.add(status === 0 || status >= 400);
    return { status, body };
  }

  /** The newest code on the handset that arrived after `after` (epoch ms), or null on timeout. */
  private async codeOnHandset(to: string, after: number, signal: AbortSignal): Promise<string | null> {
    const deadline = Date.now() + this.p.codeTimeoutMs;
    const path = `${new URL(this.env.target.baseUrl).pathname.replace(/\/+$/, '')}/lab/v1/Handsets/${encodeURIComponent(to)}/Messages`;
    while (Date.now() < deadline && !signal.aborted) {
      const { status, body } = await this.call('inbox', 'GET', path, this.admin, undefined, signal, nowMs());
      if (status === 200) {
        const messages = (body.messages ?? []) as { direction?: string; body?: string; date?: string }[];
        for (let i = messages.length - 1; i >= 0; i--) {
          const m = messages[i]!;
          if (m.direction !== 'in' || Date.parse(m.date ?? '') < after - 1_000) continue;
          const code = /(\d{4,10})/.exec(m.body ?? '')?.[1];
          if (code !== undefined) return code;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  }

  async run(ctx: FlowContext): Promise<void> {
    const to = this.p.to ?? this.freshNumber();
    const startedWall = Date.now();
    let acceptedAt = nowMs();
    if (this.startsVerification) {
      const started = await this.call(
        'verification',
        'POST',
        `${this.servicePath}/Verifications`,
        this.auth,
        { To: to, Channel: 'sms' },
        ctx.signal,
        ctx.intendedMs,
      );
      if (started.status !== 201) {
        this.approved.add(false);
        return;
      }
      acceptedAt = nowMs();
      this.startTrend.recordMs(acceptedAt - ctx.intendedMs);
      this.resendAccumulator += this.p.resendShare;
      if (this.resendAccumulator >= 1) {
        this.resendAccumulator -= 1;
        const again = await this.call(
          'verification',
          'POST',
          `${this.servicePath}/Verifications`,
          this.auth,
          { To: to, Channel: 'sms' },
          ctx.signal,
          nowMs(),
        );
        this.resendReused.add(again.status === 201 && again.body.sid === started.body.sid);
      }
      if (!this.p.check) return;
    }
    const code = await this.codeOnHandset(to, startedWall, ctx.signal);
    if (code === null) {
      this.approved.add(false);
      return;
    }
    this.deliveryTrend.recordMs(nowMs() - acceptedAt);
    const checkPath = `${this.servicePath}/VerificationCheck`;
    this.wrongAccumulator += this.p.wrongCodeShare;
    if (this.wrongAccumulator >= 1) {
      this.wrongAccumulator -= 1;
      const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
      const answer = await this.call(
        'check',
        'POST',
        checkPath,
        this.auth,
        { To: to, Code: wrong },
        ctx.signal,
        nowMs(),
      );
      this.wrongKeptPending.add(answer.status === 200 && answer.body.status === 'pending');
    }
    const checkStart = nowMs();
    const answer = await this.call(
      'check',
      'POST',
      checkPath,
      this.auth,
      { To: to, Code: code },
      ctx.signal,
      checkStart,
    );
    this.checkTrend.recordMs(nowMs() - checkStart);
    this.approved.add(answer.status < 300 && answer.body.status === 'approved');
  }
}

export const verifyStartFlow: FlowDefinition = {
  needsSink: false,
  validate(params, path) {
    readParams(params, path, START_KEYS);
  },
  create(params, env) {
    return new VerifyFlow(readParams(params, 'with', START_KEYS), env, true);
  },
};

export const verifyCheckFlow: FlowDefinition = {
  needsSink: false,
  validate(params, path) {
    const p = readParams(params, path, CHECK_KEYS);
    if (p.to === undefined)
      throw new BenchRuntimeError(
        'FLOW_INVALID',
        `${path}.to: verify.check needs the number whose code to check`,
        `${path}.to`,
      );
  },
  create(params, env) {
    return new VerifyFlow(readParams(params, 'with', CHECK_KEYS), env, false);
  },
};
