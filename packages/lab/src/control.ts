/**
 * The lab control API (`/lab/v1/…`): what tests, scenarios and users reach to play the other
 * side of the network — read a simulated handset's inbox, make a handset send, list dead
 * letters, see carriers and pipeline counters. Guarded by the admin token in the gateway.
 * Documented in docs/LAB-API.md.
 */
import {
  FormParams,
  decodePathSegment,
  isE164,
  iso8601,
  jsonResponse,
  notFound,
  toErrorResponse,
  twilioError,
  type CellResponse,
  type HttpMethod,
} from '@twilio-lab/core';
import type { Cell, WebhookDispatcher } from '@twilio-lab/cell';
import type { HandsetMessage, SuperNetwork } from '@twilio-lab/super-network';
import type { Queue } from '@twilio-lab/backends';
import type { LabControl } from '@twilio-lab/gateway';

export interface ControlDeps {
  superNetwork: SuperNetwork & {
    addresses(): { name: string; address: string; prefixes: readonly string[] }[];
  };
  webhooks: WebhookDispatcher;
  queue: Queue;
  cell: Cell;
  messageCounts(): Promise<Record<string, number>>;
  startedAt: number;
}

function handsetJson(m: HandsetMessage): object {
  return {
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    media_urls: m.mediaUrls,
    carrier: m.carrier,
    message_sid: m.messageSid,
    date: iso8601(m.at),
    date_ms: m.at,
  };
}

function parseSince(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const asNumber = Number(value);
  if (Number.isFinite(asNumber)) return asNumber;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed))
    throw twilioError(20001, `Since must be epoch milliseconds or an ISO date, got "${value}"`);
  return parsed;
}

function handsetNumber(raw: string): string {
  const e164 = decodePathSegment(raw);
  if (!isE164(e164))
    throw twilioError(21211, `The handset number ${e164} is not a valid E.164 phone number.`);
  return e164;
}

export function createLabControl(deps: ControlDeps): LabControl {
  async function route(
    method: HttpMethod,
    segments: string[],
    query: FormParams,
    form: FormParams,
    path: string,
  ): Promise<CellResponse> {
    const [version, resource, id, sub] = segments;
    if (version !== 'v1') throw notFound(`/lab${path}`);

    if (resource === 'Handsets' && id !== undefined && sub === 'Messages' && segments.length === 4) {
      const e164 = handsetNumber(id);
      if (method === 'GET') {
        const since = parseSince(query.get('Since'));
        const limit = query.has('Limit') ? Number(query.get('Limit')) : undefined;
        const messages = await deps.superNetwork.handsets.inbox(e164, {
          ...(since !== undefined ? { since } : {}),
          ...(limit !== undefined && Number.isFinite(limit) ? { limit } : {}),
        });
        return jsonResponse(200, { messages: messages.map(handsetJson) });
      }
      if (method === 'POST') {
        const to = form.get('To');
        const body = form.get('Body') ?? '';
        const mediaUrls = form.getAll('MediaUrl');
        if (!to) throw twilioError(21604);
        if (!isE164(to)) throw twilioError(21211, `The 'To' number ${to} is not a valid phone number.`);
        if (body === '' && mediaUrls.length === 0) throw twilioError(21602);
        const sent = await deps.superNetwork.handsets.send({ from: e164, to, body, mediaUrls });
        return jsonResponse(201, handsetJson(sent));
      }
      throw twilioError(20004, undefined, { headers: { Allow: 'GET, POST' } });
    }

    if (method !== 'GET') throw twilioError(20004, undefined, { headers: { Allow: 'GET' } });
    if (segments.length !== 2) throw notFound(`/lab${path}`);

    if (resource === 'DeadLetters') {
      const accountSid = query.get('AccountSid');
      const letters = await deps.webhooks.deadLetters({
        ...(accountSid ? { accountSid } : {}),
        limit: Number(query.get('Limit') ?? 1000),
      });
      return jsonResponse(200, {
        dead_letters: letters.map((d) => ({
          id: d.id,
          account_sid: d.accountSid,
          kind: d.kind,
          resource_sid: d.resourceSid,
          url: d.url,
          method: d.method,
          params: d.params,
          idempotency_token: d.idempotencyToken,
          attempts: d.attempts,
          last_error: d.lastError,
          date_created: iso8601(d.dateCreated),
        })),
      });
    }
    if (resource === 'Carriers') {
      const addresses = new Map(deps.superNetwork.addresses().map((a) => [a.name, a.address]));
      return jsonResponse(200, {
        carriers: deps.superNetwork.carriers().map((c) => ({
          name: c.name,
          region: c.region,
          prefixes: c.prefixes,
          address: addresses.get(c.name) ?? null,
          bound: c.bound,
          submitted: c.submitted,
          delivered: c.delivered,
          failed: c.failed,
          throttled: c.throttled,
        })),
      });
    }
    if (resource === 'Status') {
      const [messages, pending, dead, lag] = await Promise.all([
        deps.messageCounts(),
        deps.webhooks.pending(),
        deps.webhooks.deadLetterCount(),
        deps.queue.lag('messages.outbound', 'sender'),
      ]);
      return jsonResponse(200, {
        pid: process.pid,
        uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
        rss_bytes: process.memoryUsage.rss(),
        cells: [{ cell_id: deps.cell.cellId, region: 'us1' }],
        messages,
        webhooks: { pending, dead_letters: dead },
        queue_lag: lag,
      });
    }
    throw notFound(`/lab${path}`);
  }

  return {
    async handle(req) {
      try {
        const query = FormParams.parse(req.query);
        const form = req.contentType.startsWith('application/x-www-form-urlencoded')
          ? FormParams.parse(req.body)
          : FormParams.parse('');
        const segments = req.path.split('/').filter((s) => s !== '');
        return await route(req.method, segments, query, form, req.path);
      } catch (err) {
        return toErrorResponse(err);
      }
    },
  };
}
