import { jsonResponse, list2010, notFound, parseDateFilter, readPaging, twilioError } from '@twilio-lab/core';
import type { CellResponse, FormParams } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { SqlValue } from '@twilio-lab/backends';
import { keysetPage } from '@twilio-lab/cell';
import { accountOf, param } from '../util/scope.js';
import type { OutboundMessages } from './outbound.js';
import { mediaJson, mediaListPath, messageJson, messageResponse, messagesPath } from './representation.js';
import type { MediaRow, MessageRow } from './schema.js';

const MESSAGES = '/2010-04-01/Accounts/:AccountSid/Messages.json';
const MESSAGE = '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json';
const MEDIA_LIST = '/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media.json';
const MEDIA = '/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media/:Sid.json';

export function messageRoutes(ctx: CellContext, outbound: OutboundMessages): RouteDef[] {
  const r = new MessageRoutes(ctx, outbound);
  return [
    { method: 'POST', product: 'api', path: MESSAGES, handler: (rc) => r.create(rc) },
    { method: 'GET', product: 'api', path: MESSAGES, handler: (rc) => r.list(rc) },
    { method: 'GET', product: 'api', path: MESSAGE, handler: (rc) => r.fetch(rc) },
    { method: 'POST', product: 'api', path: MESSAGE, handler: (rc) => r.update(rc) },
    { method: 'DELETE', product: 'api', path: MESSAGE, handler: (rc) => r.remove(rc) },
    { method: 'GET', product: 'api', path: MEDIA_LIST, handler: (rc) => r.listMedia(rc) },
    { method: 'GET', product: 'api', path: MEDIA, handler: (rc) => r.fetchMedia(rc) },
    { method: 'DELETE', product: 'api', path: MEDIA, handler: (rc) => r.removeMedia(rc) },
  ];
}

function dateRange(query: FormParams, name: string): { from: number; to: number } | undefined {
  const raw = query.get(name);
  if (raw === undefined || raw === '') return undefined;
  const range = parseDateFilter(raw);
  if (range === null) throw twilioError(20001, `Invalid value for '${name}': '${raw}' is not a date`);
  return range;
}

class MessageRoutes {
  constructor(
    private readonly ctx: CellContext,
    private readonly outbound: OutboundMessages,
  ) {}

  async create(rc: RouteContext): Promise<CellResponse> {
    const row = await this.outbound.create(accountOf(rc), rc.form, 'outbound-api');
    return messageResponse(201, row);
  }

  async list(rc: RouteContext): Promise<CellResponse> {
    const accountSid = accountOf(rc);
    const paging = readPaging(rc.query);
    const where = ['account_sid = ?'];
    const params: SqlValue[] = [accountSid];
    const to = rc.query.get('To');
    if (to !== undefined && to !== '') {
      where.push('to_number = ?');
      params.push(to);
    }
    const from = rc.query.get('From');
    if (from !== undefined && from !== '') {
      where.push('from_number = ?');
      params.push(from);
    }
    // DateSent: that day (or instant); 'DateSent<': on or before it; 'DateSent>': on or after it.
    const on = dateRange(rc.query, 'DateSent');
    if (on !== undefined) {
      where.push('date_sent >= ? AND date_sent < ?');
      params.push(on.from, on.to);
    }
    const before = dateRange(rc.query, 'DateSent<');
    if (before !== undefined) {
      where.push('date_sent < ?');
      params.push(before.to);
    }
    const after = dateRange(rc.query, 'DateSent>');
    if (after !== undefined) {
      where.push('date_sent >= ?');
      params.push(after.from);
    }
    const page = await keysetPage<MessageRow>(this.ctx.store, {
      table: 'messages',
      where,
      params,
      newestFirst: true,
      paging,
    });
    return jsonResponse(
      200,
      list2010({
        key: 'messages',
        path: messagesPath(accountSid),
        query: rc.query,
        records: page.rows.map(messageJson),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    return messageResponse(200, await this.message(rc, 'Sid'));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const accountSid = accountOf(rc);
    const row = await this.message(rc, 'Sid');
    const status = rc.form.get('Status');
    const body = rc.form.get('Body');
    if (status !== undefined && status !== 'canceled') {
      throw twilioError(20001, "Invalid value for 'Status': only 'canceled' is allowed");
    }
    if (body !== undefined && body !== '') {
      throw twilioError(20001, "Invalid value for 'Body': a message body can only be redacted (set to '')");
    }
    if (status === 'canceled' && (await this.outbound.cancel(accountSid, row.sid)) === undefined) {
      throw notFound(rc.req.path);
    }
    if (body === '') await this.outbound.redact(accountSid, row.sid);
    return messageResponse(200, await this.message(rc, 'Sid'));
  }

  async remove(rc: RouteContext): Promise<CellResponse> {
    if (!(await this.outbound.remove(accountOf(rc), param(rc, 'Sid')))) throw notFound(rc.req.path);
    return { status: 204, body: '' };
  }

  async listMedia(rc: RouteContext): Promise<CellResponse> {
    const message = await this.message(rc, 'MessageSid');
    const paging = readPaging(rc.query);
    const page = await keysetPage<MediaRow>(this.ctx.store, {
      table: 'message_media',
      where: ['message_sid = ?', 'account_sid = ?'],
      params: [message.sid, message.account_sid],
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      list2010({
        key: 'media_list',
        path: mediaListPath(message.account_sid, message.sid),
        query: rc.query,
        records: page.rows.map(mediaJson),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetchMedia(rc: RouteContext): Promise<CellResponse> {
    return jsonResponse(200, mediaJson(await this.media(rc)));
  }

  async removeMedia(rc: RouteContext): Promise<CellResponse> {
    const media = await this.media(rc);
    await this.ctx.store.write([{ sql: 'DELETE FROM message_media WHERE sid = ?', params: [media.sid] }]);
    return { status: 204, body: '' };
  }

  private async message(rc: RouteContext, name: string): Promise<MessageRow> {
    const row = await this.outbound.find(accountOf(rc), param(rc, name));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }

  private async media(rc: RouteContext): Promise<MediaRow> {
    const row = await this.ctx.store.get<MediaRow>(
      'SELECT * FROM message_media WHERE sid = ? AND message_sid = ? AND account_sid = ?',
      [param(rc, 'Sid'), param(rc, 'MessageSid'), accountOf(rc)],
    );
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}
