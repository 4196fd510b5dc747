import { isE164, isSid, jsonResponse, newSid, notFound, twilioError } from '@twilio-lab/core';
import type { CellResponse, FormParams } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { Delivery, LineType, VerifyChannel, VerifyChannels } from '../options.js';
import { enforceRateLimits, readRateLimitValues } from '../rate-limits/enforce.js';
import type { ServiceRow } from '../schema.js';
import { findService } from '../services/repo.js';
import { invalid, param } from '../util/params.js';
import type { CodeBook } from './codes.js';
import type { FraudGuard } from './fraud-guard.js';
import { codeMessage, isLocale } from './messages.js';
import { verificationCheckJson, verificationJson } from './representation.js';
import type { VerificationStatus } from './representation.js';
import type { SendAttempt, VerificationRecord, VerificationState } from './state.js';
import { startFailureOutcome, verifyRecorder } from '../metrics.js';
import type { CheckOutcome, VerifyRecorder } from '../metrics.js';

const VERIFICATIONS = '/v2/Services/:ServiceSid/Verifications';
const VERIFICATION = '/v2/Services/:ServiceSid/Verifications/:Sid';
const CHECK = '/v2/Services/:ServiceSid/VerificationCheck';

const CHANNELS: ReadonlySet<string> = new Set<VerifyChannel>(['sms', 'call', 'email', 'whatsapp']);
/** The product each channel needs, for the message when the lab has no port for it. */
const CHANNEL_PRODUCT: Readonly<Record<VerifyChannel, string>> = {
  sms: 'Messaging (SMS)',
  call: 'Programmable Voice',
  email: 'SendGrid email',
  whatsapp: 'WhatsApp messaging',
};
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UPDATE_STATUSES: ReadonlySet<string> = new Set(['canceled', 'approved']);
/** How long concurrent starts for one number wait for the first one to publish its verification. */
const CREATION_WAIT_MS = 2_000;
const CREATION_POLL_MS = 2;
const MAX_CUSTOM_FRIENDLY_NAME = 30;

export interface VerificationDeps {
  ctx: CellContext;
  state: VerificationState;
  codes: CodeBook;
  guard: FraudGuard | null;
  channels: VerifyChannels;
  lineType: ((to: string) => Promise<LineType> | LineType) | undefined;
  now: () => number;
  validityMs: number;
  maxSends: number;
  maxChecks: number;
  deliveryTimeoutMs: number;
}

export function verificationRoutes(deps: VerificationDeps): RouteDef[] {
  const r = new VerificationRoutes(deps);
  return [
    { method: 'POST', product: 'verify', path: VERIFICATIONS, handler: (rc) => r.start(rc) },
    { method: 'GET', product: 'verify', path: VERIFICATION, handler: (rc) => r.fetch(rc) },
    { method: 'POST', product: 'verify', path: VERIFICATION, handler: (rc) => r.update(rc) },
    { method: 'POST', product: 'verify', path: CHECK, handler: (rc) => r.check(rc) },
  ];
}

/** What a start asked for, validated. */
interface StartRequest {
  to: string;
  channel: VerifyChannel;
  locale: string;
  customCode: string | undefined;
  friendlyName: string;
  amount: string | null;
  payee: string | null;
}

class VerificationRoutes {
  private readonly metrics: VerifyRecorder | undefined;

  constructor(private readonly d: VerificationDeps) {
    this.metrics = verifyRecorder(d.ctx.metrics);
  }

  async start(rc: RouteContext): Promise<CellResponse> {
    if (this.metrics === undefined) return this.startVerification(rc);
    const channel = rc.form.get('Channel');
    try {
      const response = await this.startVerification(rc);
      this.metrics.start(channel, 'created');
      return response;
    } catch (err) {
      this.metrics.start(channel, startFailureOutcome(err));
      throw err;
    }
  }

  private async startVerification(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const request = this.readStart(rc.form, service);
    const phone = request.channel !== 'email';
    if (this.d.guard !== null) await this.d.guard.admit(service.sid, request.to, phone);
    const rateLimits = readRateLimitValues(rc.form);
    if (rateLimits.size > 0) {
      await enforceRateLimits(this.d.ctx.store, this.d.ctx.cache, service.sid, rateLimits, this.d.now());
    }
    const lookup = await this.lookup(service, request, phone);

    const deadline = performance.now() + CREATION_WAIT_MS;
    for (;;) {
      let record = await this.d.state.byTo(service.sid, request.to);
      if (record !== undefined && this.d.state.expired(record)) {
        await this.d.state.finish(record);
        record = undefined;
      }
      // Approved or canceled a moment ago: a resend must not revive it, the next claim starts afresh.
      if (record !== undefined && (await this.d.state.finished(record))) record = undefined;
      if (record !== undefined) return this.resend(rc, service, request, record);
      if (await this.d.state.claimCreation(service.sid, request.to)) {
        return this.create(rc, service, request, lookup);
      }
      // Another start for this number is delivering its first code: wait for it to publish
      // the verification, then this start becomes a resend of it (same SID, same code).
      if (performance.now() > deadline) throw twilioError(60212);
      await sleep(CREATION_POLL_MS);
    }
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const record = await this.live(rc, service, param(rc, 'Sid'));
    const attempts = await this.d.state.attempts(record);
    return jsonResponse(200, verificationJson(record, attempts, 'pending', rc.req.origin));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const status = rc.form.get('Status');
    if (status === undefined || !UPDATE_STATUSES.has(status))
      throw invalid('Status', 'expected canceled or approved');
    const record = await this.live(rc, service, param(rc, 'Sid'));
    const attempts = await this.d.state.attempts(record);
    if (!(await this.d.state.finish(record))) throw notFound(rc.req.path);
    if (status === 'approved')
      this.metrics?.approved(record.channel, (this.d.now() - record.createdAt) / 1000);
    return jsonResponse(200, verificationJson(record, attempts, status as VerificationStatus, rc.req.origin));
  }

  async check(rc: RouteContext): Promise<CellResponse> {
    const outcome: { value?: CheckOutcome } = {};
    try {
      return await this.checkCode(rc, outcome);
    } finally {
      if (outcome.value !== undefined) this.metrics?.check(outcome.value);
    }
  }

  /** The check itself; `outcome.value` says how it ended (undefined: malformed, not counted). */
  private async checkCode(rc: RouteContext, outcome: { value?: CheckOutcome }): Promise<CellResponse> {
    const notFoundOutcome = (expired: boolean): void => {
      outcome.value = expired ? 'expired' : 'not_found';
    };
    let service: ServiceRow;
    try {
      service = await this.service(rc);
    } catch (err) {
      notFoundOutcome(false);
      throw err;
    }
    const code = rc.form.get('Code');
    if (code === undefined || code === '') throw invalid('Code');
    const verificationSid = rc.form.get('VerificationSid');
    const to = rc.form.get('To');
    const target = verificationSid ?? to;
    if (target === undefined || target === '') throw invalid('To', 'To or VerificationSid is required');
    const record = await this.live(rc, service, target, notFoundOutcome);

    const checks = await this.d.state.registerCheck(record);
    if (checks > this.d.maxChecks) {
      // The verification is spent: it becomes max_attempts_reached and is deleted.
      await this.d.state.finish(record);
      outcome.value = 'max_attempts';
      throw twilioError(60202);
    }
    const now = this.d.now();
    const amountMatches = this.psd2Matches(record, rc.form);
    if (amountMatches && this.d.codes.matches(service.sid, code, record.codeHash)) {
      // Two right answers at once: one approves, the other finds it already gone.
      if (!(await this.d.state.finish(record))) {
        notFoundOutcome(false);
        throw notFound(rc.req.path);
      }
      outcome.value = 'approved';
      this.metrics?.approved(record.channel, (now - record.createdAt) / 1000);
      return jsonResponse(200, verificationCheckJson(record, 'approved', now));
    }
    outcome.value = 'pending';
    return jsonResponse(200, verificationCheckJson(record, 'pending', now));
  }

  private async create(
    rc: RouteContext,
    service: ServiceRow,
    request: StartRequest,
    lookup: Record<string, unknown>,
  ): Promise<CellResponse> {
    const now = this.d.now();
    const sid = newSid('VE');
    const codeLength = Number(service.code_length);
    const code = request.customCode ?? this.d.codes.derive(service.sid, sid, codeLength);
    const record: VerificationRecord = {
      sid,
      accountSid: service.account_sid,
      serviceSid: service.sid,
      to: request.to,
      channel: request.channel,
      codeHash: this.d.codes.hash(service.sid, code),
      custom: request.customCode !== undefined,
      codeLength,
      amount: request.amount,
      payee: request.payee,
      locale: request.locale,
      lookup,
      createdAt: now,
      expiresAt: now + this.d.validityMs,
    };
    try {
      await this.deliver(service, record, request, code);
    } catch (e) {
      await this.d.state.releaseClaim(service.sid, request.to);
      throw e;
    }
    const attempt: SendAttempt = { time: now, channel: request.channel, attemptSid: newSid('VL') };
    await this.d.state.create(record, attempt);
    return jsonResponse(201, verificationJson(record, [attempt], 'pending', rc.req.origin));
  }

  private async resend(
    rc: RouteContext,
    service: ServiceRow,
    request: StartRequest,
    found: VerificationRecord,
  ): Promise<CellResponse> {
    let record = found;
    const { slot, sends } = await this.d.state.reserveSend(record);
    if (sends > this.d.maxSends) {
      const retryAfter = Math.max(1, Math.ceil((record.expiresAt - this.d.now()) / 1000));
      throw twilioError(60203, undefined, {
        headers: { 'Retry-After': String(retryAfter), 'Twilio-Reached-Rate-Limit': 'max_send_attempts' },
      });
    }
    let code: string;
    if (request.customCode !== undefined) {
      code = request.customCode;
    } else if (record.custom) {
      await this.d.state.sendFailed(record);
      throw invalid(
        'CustomCode',
        'this verification was started with a custom code; resend it with CustomCode',
      );
    } else {
      code = this.d.codes.derive(service.sid, record.sid, record.codeLength);
    }
    const hash = this.d.codes.hash(service.sid, code);
    if (hash !== record.codeHash) {
      // A new custom code, or a code derived with another secret (a restarted process without
      // a configured codeSecret): the code just sent is the one that must check.
      record = { ...record, codeHash: hash, custom: request.customCode !== undefined };
      await this.d.state.replace(record);
    }
    try {
      await this.deliver(service, record, request, code);
    } catch (e) {
      await this.d.state.sendFailed(record);
      throw e;
    }
    const attempt: SendAttempt = { time: this.d.now(), channel: request.channel, attemptSid: newSid('VL') };
    await this.d.state.recordAttempt(record, slot, attempt);
    const attempts = await this.d.state.attempts(record);
    return jsonResponse(201, verificationJson(record, attempts, 'pending', rc.req.origin));
  }

  /** Hands the code to the channel's port; any failure or a timeout is a 503 and nothing was sent. */
  private async deliver(
    service: ServiceRow,
    record: VerificationRecord,
    request: StartRequest,
    code: string,
  ): Promise<void> {
    const port = this.d.channels[request.channel];
    if (port === undefined) throw noPort(request.channel);
    const delivery: Delivery = {
      accountSid: service.account_sid,
      serviceSid: service.sid,
      verificationSid: record.sid,
      to: record.to,
      code,
      body: codeMessage(
        request.locale,
        request.friendlyName,
        code,
        Number(service.do_not_share_warning_enabled) === 1 && request.channel === 'sms',
      ),
      locale: request.locale,
      channel: request.channel,
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        port(delivery),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('delivery timed out')), this.d.deliveryTimeoutMs);
        }),
      ]);
    } catch (e) {
      this.d.ctx.log.warn(
        { err: e, verificationSid: record.sid, channel: request.channel },
        'verification code delivery failed',
      );
      throw twilioError(20503, `The ${request.channel} channel could not deliver the verification code`);
    } finally {
      clearTimeout(timer);
    }
  }

  private readStart(form: FormParams, service: ServiceRow): StartRequest {
    const channel = form.get('Channel');
    if (channel === undefined || !CHANNELS.has(channel)) throw invalid('Channel');
    const verifyChannel = channel as VerifyChannel;
    // Checked before anything else is counted, so a lab without the product fails fast.
    if (this.d.channels[verifyChannel] === undefined) throw noPort(verifyChannel);
    const to = form.get('To');
    if (to === undefined || !(verifyChannel === 'email' ? EMAIL.test(to) : isE164(to))) throw invalid('To');
    const locale = form.get('Locale') ?? 'en';
    if (!isLocale(locale)) throw invalid('Locale');
    const customCode = form.get('CustomCode');
    if (customCode !== undefined) {
      if (Number(service.custom_code_enabled) !== 1) {
        throw invalid('CustomCode', 'custom codes are not enabled on this service');
      }
      if (customCode.length < 4 || customCode.length > 10)
        throw invalid('CustomCode', 'expected 4 to 10 characters');
    }
    const customName = form.get('CustomFriendlyName');
    if (customName !== undefined && (customName === '' || customName.length > MAX_CUSTOM_FRIENDLY_NAME)) {
      throw invalid('CustomFriendlyName');
    }
    const amount = form.get('Amount');
    const payee = form.get('Payee');
    if (Number(service.psd2_enabled) === 1) {
      if (amount === undefined || amount === '') throw invalid('Amount', 'required by a PSD2 service');
      if (payee === undefined || payee === '') throw invalid('Payee', 'required by a PSD2 service');
    } else if (amount !== undefined || payee !== undefined) {
      throw invalid(amount !== undefined ? 'Amount' : 'Payee', 'the service does not have PSD2 enabled');
    }
    return {
      to,
      channel: verifyChannel,
      locale,
      customCode,
      friendlyName: customName ?? service.friendly_name,
      amount: amount ?? null,
      payee: payee ?? null,
    };
  }

  /** The `lookup` field, and the landline rule of SkipSmsToLandlines. */
  private async lookup(
    service: ServiceRow,
    request: StartRequest,
    phone: boolean,
  ): Promise<Record<string, unknown>> {
    const lookupEnabled = Number(service.lookup_enabled) === 1;
    const skipLandlines = Number(service.skip_sms_to_landlines) === 1 && request.channel === 'sms';
    if (!phone || (!lookupEnabled && !skipLandlines)) return {};
    const lineType = this.d.lineType === undefined ? 'mobile' : await this.d.lineType(request.to);
    if (skipLandlines && lineType === 'landline') throw twilioError(60205);
    if (!lookupEnabled) return {};
    return {
      carrier: {
        error_code: null,
        name: null,
        mobile_country_code: null,
        mobile_network_code: null,
        type: carrierType(lineType),
      },
    };
  }

  /** PSD2: a check that names an amount or payee must name the ones the code was sent for. */
  private psd2Matches(record: VerificationRecord, form: FormParams): boolean {
    const amount = form.get('Amount');
    const payee = form.get('Payee');
    if (amount !== undefined && amount !== record.amount) return false;
    if (payee !== undefined && payee !== record.payee) return false;
    return true;
  }

  /**
   * A pending verification by VE SID or by its To (Twilio accepts either); 404 once it ended.
   * `onMissing` hears why before the 404 (expired, or not there at all), for the check metrics.
   */
  private async live(
    rc: RouteContext,
    service: ServiceRow,
    sidOrTo: string,
    onMissing?: (expired: boolean) => void,
  ): Promise<VerificationRecord> {
    const record = isSid(sidOrTo, 'VE')
      ? await this.d.state.bySid(service.sid, sidOrTo)
      : await this.d.state.byTo(service.sid, sidOrTo);
    if (record === undefined) {
      onMissing?.(false);
      throw notFound(rc.req.path);
    }
    if (this.d.state.expired(record)) {
      await this.d.state.finish(record);
      onMissing?.(true);
      throw notFound(rc.req.path);
    }
    return record;
  }

  private async service(rc: RouteContext): Promise<ServiceRow> {
    const row = await findService(this.d.ctx.store, rc.req.accountSid, param(rc, 'ServiceSid'));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}

function noPort(channel: VerifyChannel): Error {
  return twilioError(
    60200,
    `Invalid parameter: Channel: the ${channel} channel needs ${CHANNEL_PRODUCT[channel]}, which is not in this lab yet`,
  );
}

/** Lookup's carrier.type vocabulary. */
function carrierType(lineType: LineType): string | null {
  switch (lineType) {
    case 'mobile':
      return 'mobile';
    case 'landline':
    case 'tollFree':
      return 'landline';
    case 'fixedVoip':
    case 'nonFixedVoip':
      return 'voip';
    default:
      return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
