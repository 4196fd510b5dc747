import { TwilioError, countryOf, smsSegments } from '@twilio-lab/core';
import type { CellContext } from '@twilio-lab/cell';
import type { WriteOp } from '@twilio-lab/backends';
import type { InboundSms } from '@twilio-lab/super-network';
import { directoryFor, numberOwnedBy } from '../directory/directory.js';
import type { NumberRow } from '../numbers/schema.js';
import type { OutboundMessages } from '../messages/outbound.js';
import { buildMessage, insertOps } from '../messages/rows.js';
import type { MediaRow, MessageRow, ServiceRow } from '../messages/schema.js';
import { serviceOfNumber } from '../services/repo.js';
import { messagingRecorder } from '../metrics.js';
import type { MessagingRecorder } from '../metrics.js';
import { optKeyword } from './keywords.js';
import { readMessagingResponse, replyForm, resolveUrl } from './twiml.js';

const MAX_REDIRECTS = 10;
const HTTP_RETRIEVAL_FAILURE = 11200;
const DOCUMENT_PARSE_FAILURE = 12100;

interface WebhookTarget {
  url: string;
  method: 'GET' | 'POST';
  fallbackUrl: string | null;
  fallbackMethod: 'GET' | 'POST';
}

const asMethod = (m: string): 'GET' | 'POST' => (m === 'GET' ? 'GET' : 'POST');

/**
 * A number in a service answers with the service's InboundRequestUrl unless the service says
 * to use the number's own webhook (or has none); otherwise the number's SmsUrl.
 */
function webhookTarget(number: NumberRow, service: ServiceRow | null): WebhookTarget | null {
  if (
    service?.inbound_request_url &&
    (service.use_inbound_webhook_on_number === 0 || number.sms_url === '')
  ) {
    return {
      url: service.inbound_request_url,
      method: asMethod(service.inbound_method),
      fallbackUrl: service.fallback_url,
      fallbackMethod: asMethod(service.fallback_method),
    };
  }
  if (number.sms_url === '') return null;
  return {
    url: number.sms_url,
    method: asMethod(number.sms_method),
    fallbackUrl: number.sms_fallback_url === '' ? null : number.sms_fallback_url,
    fallbackMethod: asMethod(number.sms_fallback_method),
  };
}

/**
 * Messages handsets send to the account's numbers. The message (and any STOP/START opt
 * change) is durable before the handler resolves, so the carrier's acknowledgement never
 * covers something a crash could lose; the app's webhook and its TwiML run afterwards.
 */
export class InboundMessages {
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private readonly metrics: MessagingRecorder | undefined;

  constructor(
    private readonly ctx: CellContext,
    private readonly outbound: OutboundMessages,
  ) {
    this.metrics = messagingRecorder(ctx);
  }

  async receive(sms: InboundSms): Promise<void> {
    if (this.stopped) throw new Error('messaging module is stopped: inbound message not accepted');
    const number = await numberOwnedBy(this.ctx.store, sms.to);
    if (number === undefined) {
      this.ctx.log.info(
        { to: sms.to, carrier: sms.carrier },
        'inbound SMS for a number this cell does not hold: ignored',
      );
      return;
    }
    const service = (await serviceOfNumber(this.ctx.store, number.sid)) ?? null;
    const { encoding, segments } = smsSegments(sms.body);
    const now = this.ctx.now();
    const { message, media } = buildMessage({
      accountSid: number.account_sid,
      direction: 'inbound',
      status: 'received',
      from: sms.from,
      to: sms.to,
      body: sms.body,
      encoding,
      segments,
      mediaUrls: sms.mediaUrls,
      messagingServiceSid: service?.sid ?? null,
      statusCallback: null,
      validityPeriod: null,
      sendAt: null,
      dateSent: sms.at,
      now,
    });
    const ops = insertOps(message, media);
    const opt = optChange(number, service, sms.body);
    if (opt !== null) ops.push(...optOps(opt, number.account_sid, sms.from, now));
    await this.ctx.store.write(ops);
    const accepted = this.metrics?.accepted(message);
    if (accepted !== undefined) await accepted;
    if (opt !== null) {
      const directory = directoryFor(this.ctx.store);
      if (opt.keyword === 'opt-in') directory.removeOptOuts(number.account_sid, sms.from, opt.senders);
      else directory.addOptOuts(number.account_sid, sms.from, opt.senders);
    }

    const target = webhookTarget(number, service);
    if (target !== null) this.track(this.runWebhook(target, message, media, number, service));
  }

  private track(work: Promise<void>): void {
    const guarded = work.catch((err: unknown) =>
      this.ctx.log.error({ err: String(err) }, 'inbound message webhook handling failed'),
    );
    this.running.add(guarded);
    void guarded.finally(() => this.running.delete(guarded));
  }

  /** Fetches the app's TwiML (following <Redirect>s) and sends the replies it asks for. */
  private async runWebhook(
    target: WebhookTarget,
    message: MessageRow,
    media: readonly MediaRow[],
    number: NumberRow,
    service: ServiceRow | null,
  ): Promise<void> {
    const params = inboundParams(message, media);
    let url = target.url;
    let method = target.method;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Only the first document has a fallback (SmsFallbackUrl / the service's FallbackUrl).
      const fallback =
        hop === 0 && target.fallbackUrl !== null
          ? { url: target.fallbackUrl, method: target.fallbackMethod }
          : null;
      const fetched = await this.fetchWithFallback({ url, method }, fallback, params, message);
      if (fetched === null) return;
      url = fetched.url;
      let actions;
      try {
        actions = readMessagingResponse(fetched.body);
      } catch (err) {
        const code = err instanceof TwilioError ? err.code : DOCUMENT_PARSE_FAILURE;
        this.ctx.log.warn({ code, sid: message.sid, url }, 'inbound message webhook returned invalid TwiML');
        return;
      }
      let redirect: { url: string; method: 'GET' | 'POST' } | null = null;
      for (const action of actions) {
        if (action.verb === 'redirect') {
          redirect = { url: resolveUrl(action.url, url), method: action.method };
          break;
        }
        const form = replyForm(action, {
          to: message.from_number ?? '',
          from: number.phone_number,
          messagingServiceSid: service?.sid ?? null,
          baseUrl: url,
        });
        await this.reply(form, message);
      }
      if (redirect === null) return;
      ({ url, method } = redirect);
    }
    this.ctx.log.warn(
      { sid: message.sid, max: MAX_REDIRECTS },
      'inbound message webhook: too many <Redirect>s',
    );
  }

  /** The document at `primary`, else at `fallback`; null (logged as 11200) when neither answers. */
  private async fetchWithFallback(
    primary: { url: string; method: 'GET' | 'POST' },
    fallback: { url: string; method: 'GET' | 'POST' } | null,
    params: Record<string, string>,
    message: MessageRow,
  ): Promise<{ url: string; body: string } | null> {
    for (const attempt of fallback === null ? [primary] : [primary, fallback]) {
      try {
        return {
          url: attempt.url,
          body: await this.fetchTwiml(attempt.url, attempt.method, params, message),
        };
      } catch (err) {
        this.ctx.log.warn(
          { code: HTTP_RETRIEVAL_FAILURE, sid: message.sid, url: attempt.url, err: String(err) },
          'inbound message webhook could not be retrieved',
        );
      }
    }
    return null;
  }

  private async fetchTwiml(
    url: string,
    method: 'GET' | 'POST',
    params: Record<string, string>,
    message: MessageRow,
  ): Promise<string> {
    const response = await this.ctx.webhooks.request({
      accountSid: message.account_sid,
      url,
      method,
      params,
      kind: 'message-inbound',
      resourceSid: message.sid,
    });
    if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
    return response.body;
  }

  private async reply(form: ReturnType<typeof replyForm>, inbound: MessageRow): Promise<void> {
    try {
      await this.outbound.create(inbound.account_sid, form, 'outbound-reply');
    } catch (err) {
      if (!(err instanceof TwilioError)) throw err;
      this.ctx.log.warn(
        { code: err.code, inboundSid: inbound.sid, message: err.message },
        'TwiML <Message> reply refused',
      );
    }
  }

  /** Waits for webhook runs in flight (shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

interface OptChange {
  keyword: 'opt-in' | 'opt-out';
  /** The number, and its service when it has one. */
  senders: string[];
}

/** STOP opts out of the number and its service; START opts back in; null for other bodies. */
function optChange(number: NumberRow, service: ServiceRow | null, body: string): OptChange | null {
  const keyword = optKeyword(body);
  if (keyword === null) return null;
  const senders = service === null ? [number.phone_number] : [number.phone_number, service.sid];
  return { keyword, senders };
}

function optOps(change: OptChange, accountSid: string, from: string, now: number): WriteOp[] {
  const { senders } = change;
  if (change.keyword === 'opt-in') {
    return [
      {
        sql: `DELETE FROM messaging_opt_outs WHERE account_sid = ? AND recipient = ? AND sender IN (${senders.map(() => '?').join(', ')})`,
        params: [accountSid, from, ...senders],
      },
    ];
  }
  return senders.map((sender) => ({
    sql: `INSERT INTO messaging_opt_outs (account_sid, sender, recipient, date_created) VALUES (?, ?, ?, ?)
          ON CONFLICT (account_sid, recipient, sender) DO NOTHING`,
    params: [accountSid, sender, from, now],
  }));
}

/** Parameters of the inbound-message webhook. */
function inboundParams(message: MessageRow, media: readonly MediaRow[]): Record<string, string> {
  const from = message.from_number ?? '';
  const params: Record<string, string> = {
    MessageSid: message.sid,
    SmsSid: message.sid,
    SmsMessageSid: message.sid,
    AccountSid: message.account_sid,
    From: from,
    To: message.to_number,
    Body: message.body,
    NumMedia: String(media.length),
    NumSegments: String(message.num_segments),
    SmsStatus: 'received',
    FromCountry: countryOf(from) ?? '',
    ToCountry: countryOf(message.to_number) ?? '',
    ApiVersion: '2010-04-01',
  };
  if (message.messaging_service_sid !== null) params.MessagingServiceSid = message.messaging_service_sid;
  media.forEach((m, i) => {
    params[`MediaUrl${i}`] = m.url;
    params[`MediaContentType${i}`] = m.content_type;
  });
  return params;
}
