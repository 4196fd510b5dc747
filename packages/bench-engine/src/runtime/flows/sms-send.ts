/**
 * `sms.send`: POST /2010-04-01/Accounts/{sid}/Messages.json with the sink as StatusCallback.
 * with: { to (number or list, taken in turn), from | messagingServiceSid, body,
 * awaitStatus ('delivered', 'sent', …: the iteration waits for it; absent: the iteration ends
 * at the 201 and the sink still measures 201 → delivered), timeoutMs (30 s) }.
 *
 * With several accounts in the target (setup.accounts), iterations go to them round robin,
 * each account with its own Messages URL, credentials and sender, and samples carry
 * `account: a<index>`.
 *
 * Records http_req_duration / http_req_failed for the POST, sms_accept_duration (intended
 * start → 201) and `checks` ({check: 'accepted'} and {check: 'status is <awaited>'}); the
 * sink records sms_e2e_duration (201 → awaited status) in the main thread.
 */
import { encodeForm } from '@twilio-lab/core';
import { METRICS } from '../../metrics.js';
import { nowMs } from '../clock.js';
import { BenchRuntimeError } from '../errors.js';
import type { Tags } from '../../metrics.js';
import { accountsOf, type AccountPlan } from '../plan.js';
import type { MetricsRecorder, RateHandle, TrendHandle } from '../recorder.js';
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

/**
 * Everything one account's sends need, computed once: its Messages URL, its Basic auth, the
 * encoded bodies (with its own sender standing in for the scenario's `from`) and its metric
 * handles (tagged `account: a<index>` when the run has several accounts).
 */
class AccountLane {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly bodies: string[];
  readonly tags: Tags;
  readonly failed: RateHandle;
  readonly accept: TrendHandle;
  readonly acceptedCheck: RateHandle;
  readonly statusCheck: RateHandle | undefined;
  private readonly durations = new Map<number, TrendHandle>();

  constructor(
    account: AccountPlan,
    tags: Tags,
    p: SmsParams,
    baseUrl: string,
    sinkUrl: string,
    private readonly recorder: MetricsRecorder,
  ) {
    this.path = new URL(
      `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${account.accountSid}/Messages.json`,
    ).pathname;
    this.headers = {
      authorization: basicAuth(account.accountSid, account.authToken),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const from = p.from === undefined ? undefined : (account.senders?.[p.from] ?? p.from);
    this.bodies = p.to.map((to) => {
      const form: Record<string, string> = { To: to, Body: p.body, StatusCallback: sinkUrl };
      if (from !== undefined) form.From = from;
      if (p.messagingServiceSid !== undefined) form.MessagingServiceSid = p.messagingServiceSid;
      return encodeForm(form);
    });
    this.tags = tags;
    this.failed = recorder.rate(METRICS.httpReqFailed, { ...tags, method: 'POST' });
    this.accept = recorder.trend(METRICS.smsAcceptDuration, tags);
    this.acceptedCheck = recorder.rate(METRICS.checks, { ...tags, check: 'accepted' });
    this.statusCheck =
      p.awaitStatus === undefined
        ? undefined
        : recorder.rate(METRICS.checks, { ...tags, check: `status is ${p.awaitStatus}` });
  }

  duration(status: number): TrendHandle {
    let handle = this.durations.get(status);
    if (handle === undefined) {
      handle = this.recorder.trend(METRICS.httpReqDuration, {
        ...this.tags,
        method: 'POST',
        status: String(status),
      });
      this.durations.set(status, handle);
    }
    return handle;
  }
}

class SmsSendFlow implements Flow {
  private readonly origin: string;
  private readonly lanes: AccountLane[];
  /** Recipients and accounts are each taken in turn. */
  private nextBody = 0;
  private nextLane = 0;

  constructor(
    private readonly p: SmsParams,
    private readonly env: FlowEnv,
  ) {
    if (env.sinkUrl === undefined || env.callbacks === undefined)
      throw new BenchRuntimeError(
        'SINK_UNAVAILABLE',
        'sms.send needs the webhook sink, which is not running',
      );
    this.origin = new URL(env.target.baseUrl).origin;
    const accounts = accountsOf(env.target);
    const sinkUrl = env.sinkUrl;
    // The account tag is the account's index, never its SID: bounded, and no SID in reports.
    this.lanes = accounts.map(
      (account, i) =>
        new AccountLane(
          account,
          accounts.length > 1 ? { ...env.tags, account: `a${i}` } : env.tags,
          p,
          env.target.baseUrl,
          sinkUrl,
          env.recorder,
        ),
    );
  }

  async run(ctx: FlowContext): Promise<void> {
    const lane = this.lanes[this.nextLane]!;
    this.nextLane = (this.nextLane + 1) % this.lanes.length;
    const body = lane.bodies[this.nextBody]!;
    this.nextBody = (this.nextBody + 1) % lane.bodies.length;
    let status = 0;
    let sid: string | undefined;
    try {
      const res = await this.env.http.pool(this.origin).request({
        path: lane.path,
        method: 'POST',
        headers: lane.headers,
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
    lane.duration(status).recordMs(elapsed);
    const accepted = status === 201 && typeof sid === 'string';
    lane.failed.add(!accepted);
    lane.acceptedCheck.add(accepted);
    if (!accepted) {
      lane.statusCheck?.add(false);
      return;
    }
    lane.accept.recordMs(elapsed);
    const settled = this.env.callbacks!.expect({
      sid: sid!,
      acceptedAtMs,
      awaitStatus: this.p.awaitStatus,
      tags: lane.tags,
      timeoutMs: this.p.timeoutMs,
    });
    if (lane.statusCheck === undefined) return;
    const outcome = await untilAborted(settled, ctx.signal);
    lane.statusCheck.add(outcome.ok);
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
