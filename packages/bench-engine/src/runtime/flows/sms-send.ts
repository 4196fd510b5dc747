/**
 * `sms.send`: POST /2010-04-01/Accounts/{sid}/Messages.json with the sink as StatusCallback.
 * with: { to (number or list, taken in turn), from | messagingServiceSid, body,
 * awaitStatus ('delivered', 'sent', …: the iteration waits for it; absent: the iteration ends
 * at the 201 and the sink still measures 201 → delivered), timeoutMs (30 s) }.
 *
 * Records http_req_duration / http_req_failed for the POST, sms_accept_duration (intended
 * start → 201) and `checks` ({check: 'accepted'} and {check: 'status is <awaited>'}); the
 * sink records sms_e2e_duration (201 → awaited status) in the main thread.
 */
import { encodeForm } from '@twilio-lab/core';
import { METRICS } from '../../metrics.js';
import { nowMs } from '../clock.js';
import { BenchRuntimeError } from '../errors.js';
import type { RateHandle, TrendHandle } from '../recorder.js';
import { untilAborted } from './abortable.js';
import { basicAuth, optionalNumber, optionalString, optionalStringList, rejectUnknown } from './params.js';
import type { Flow, FlowContext, FlowDefinition, FlowEnv } from './types.js';

const KEYS = ['to', 'from', 'messagingServiceSid', 'body', 'awaitStatus', 'timeoutMs'] as const;
export const MESSAGE_STATUSES = [
  'queued',
  'accepted',
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
] as const;
const DEFAULT_TIMEOUT_MS = 30_000;

interface SmsParams {
  to: string[];
  from: string | undefined;
  messagingServiceSid: string | undefined;
  body: string;
  awaitStatus: string | undefined;
  timeoutMs: number;
}

function readParams(params: Record<string, unknown>, path: string): SmsParams {
  rejectUnknown(params, KEYS, path);
  const to = optionalStringList(params, 'to', path);
  if (to === undefined) throw new BenchRuntimeError('FLOW_INVALID', `${path}.to: required`, `${path}.to`);
  const from = optionalString(params, 'from', path);
  const messagingServiceSid = optionalString(params, 'messagingServiceSid', path);
  if ((from === undefined) === (messagingServiceSid === undefined))
    throw new BenchRuntimeError(
      'FLOW_INVALID',
      `${path}: give exactly one of from or messagingServiceSid`,
      path,
    );
  const awaitStatus = optionalString(params, 'awaitStatus', path);
  if (awaitStatus !== undefined && !(MESSAGE_STATUSES as readonly string[]).includes(awaitStatus))
    throw new BenchRuntimeError(
      'FLOW_INVALID',
      `${path}.awaitStatus: must be one of ${MESSAGE_STATUSES.join(', ')}`,
      `${path}.awaitStatus`,
    );
  return {
    to,
    from,
    messagingServiceSid,
    body: optionalString(params, 'body', path) ?? 'twilio-lab bench',
    awaitStatus,
    timeoutMs: optionalNumber(params, 'timeoutMs', path) ?? DEFAULT_TIMEOUT_MS,
  };
}

class SmsSendFlow implements Flow {
  private readonly origin: string;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  /** Bodies per recipient, encoded once. */
  private readonly bodies: string[];
  private next = 0;
  private readonly durations = new Map<number, TrendHandle>();
  private readonly failed: RateHandle;
  private readonly accept: TrendHandle;
  private readonly acceptedCheck: RateHandle;
  private readonly statusCheck: RateHandle | undefined;

  constructor(
    private readonly p: SmsParams,
    private readonly env: FlowEnv,
  ) {
    if (env.sinkUrl === undefined || env.callbacks === undefined)
      throw new BenchRuntimeError(
        'SINK_UNAVAILABLE',
        'sms.send needs the webhook sink, which is not running',
      );
    const url = new URL(
      `${env.target.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${env.target.accountSid}/Messages.json`,
    );
    this.origin = url.origin;
    this.path = url.pathname;
    this.headers = {
      authorization: basicAuth(env.target.accountSid, env.target.authToken),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const sinkUrl = env.sinkUrl;
    this.bodies = p.to.map((to) => {
      const form: Record<string, string> = { To: to, Body: p.body, StatusCallback: sinkUrl };
      if (p.from !== undefined) form.From = p.from;
      if (p.messagingServiceSid !== undefined) form.MessagingServiceSid = p.messagingServiceSid;
      return encodeForm(form);
    });
    const r = env.recorder;
    this.failed = r.rate(METRICS.httpReqFailed, { ...env.tags, method: 'POST' });
    this.accept = r.trend(METRICS.smsAcceptDuration, env.tags);
    this.acceptedCheck = r.rate(METRICS.checks, { ...env.tags, check: 'accepted' });
    this.statusCheck =
      p.awaitStatus === undefined
        ? undefined
        : r.rate(METRICS.checks, { ...env.tags, check: `status is ${p.awaitStatus}` });
  }

  private duration(status: number): TrendHandle {
    let handle = this.durations.get(status);
    if (handle === undefined) {
      handle = this.env.recorder.trend(METRICS.httpReqDuration, {
        ...this.env.tags,
        method: 'POST',
        status: String(status),
      });
      this.durations.set(status, handle);
    }
    return handle;
  }

  async run(ctx: FlowContext): Promise<void> {
    const body = this.bodies[this.next]!;
    this.next = (this.next + 1) % this.bodies.length;
    let status = 0;
    let sid: string | undefined;
    try {
      const res = await this.env.http.pool(this.origin).request({
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        signal: ctx.signal,
      });
      status = res.statusCode;
      if (status === 201) sid = ((await res.body.json()) as { sid?: string }).sid;
      else await res.body.dump();
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    const acceptedAtMs = nowMs();
    const elapsed = acceptedAtMs - ctx.intendedMs;
    this.duration(status).recordMs(elapsed);
    const accepted = status === 201 && typeof sid === 'string';
    this.failed.add(!accepted);
    this.acceptedCheck.add(accepted);
    if (!accepted) {
      this.statusCheck?.add(false);
      return;
    }
    this.accept.recordMs(elapsed);
    const settled = this.env.callbacks!.expect({
      sid: sid!,
      acceptedAtMs,
      awaitStatus: this.p.awaitStatus,
      tags: this.env.tags,
      timeoutMs: this.p.timeoutMs,
    });
    if (this.statusCheck === undefined) return;
    const outcome = await untilAborted(settled, ctx.signal);
    this.statusCheck.add(outcome.ok);
  }
}

export const smsSendFlow: FlowDefinition = {
  needsSink: true,
  validate(params, path) {
    readParams(params, path);
  },
  create(params, env) {
    return new SmsSendFlow(readParams(params, 'with'), env);
  },
};
