import { jsonResponse, listV1, newSid, notFound, readPaging, twilioError } from '@twilio-lab/core';
import type { CellResponse, FormParams } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { SqlValue } from '@twilio-lab/backends';
import { findNumberBySid } from '../numbers/repo.js';
import type { ServiceRow } from '../messages/schema.js';
import { keysetPage } from '@twilio-lab/cell';
import { parseBoolean, parseInteger, parseMethod, parseWebhookUrl } from '../util/params.js';
import { param } from '../util/scope.js';
import { findService } from './repo.js';
import { DEFAULT_SETTINGS, MESSAGING_PREFIX, poolMemberJson, serviceJson } from './representation.js';
import type { PoolMemberRow, ServiceSettings } from './representation.js';

const SERVICES = '/v1/Services';
const SERVICE = '/v1/Services/:Sid';
const POOL = '/v1/Services/:ServiceSid/PhoneNumbers';
const POOL_MEMBER = '/v1/Services/:ServiceSid/PhoneNumbers/:Sid';
const DEFAULT_VALIDITY_PERIOD = 36000;
const SCAN_VALUES = new Set(['inherit', 'enable', 'disable']);
/** Twilio's code for a number that already belongs to a Messaging Service (not in core's catalogue). */
const NUMBER_IN_ANOTHER_SERVICE = 21710;

/** The pool joined with the numbers: the page query needs (sid, date_created) columns. */
const POOL_TABLE = `(SELECT m.phone_number_sid AS sid, m.service_sid AS service_sid, m.account_sid AS account_sid,
  n.phone_number AS phone_number, m.date_created AS date_created, m.date_updated AS date_updated
  FROM messaging_service_numbers m JOIN incoming_phone_numbers n ON n.sid = m.phone_number_sid) pool`;

export function serviceRoutes(ctx: CellContext): RouteDef[] {
  const r = new ServiceRoutes(ctx);
  return [
    { method: 'POST', product: 'messaging', path: SERVICES, handler: (rc) => r.create(rc) },
    { method: 'GET', product: 'messaging', path: SERVICES, handler: (rc) => r.list(rc) },
    { method: 'GET', product: 'messaging', path: SERVICE, handler: (rc) => r.fetch(rc) },
    { method: 'POST', product: 'messaging', path: SERVICE, handler: (rc) => r.update(rc) },
    { method: 'DELETE', product: 'messaging', path: SERVICE, handler: (rc) => r.remove(rc) },
    { method: 'POST', product: 'messaging', path: POOL, handler: (rc) => r.addNumber(rc) },
    { method: 'GET', product: 'messaging', path: POOL, handler: (rc) => r.listNumbers(rc) },
    { method: 'GET', product: 'messaging', path: POOL_MEMBER, handler: (rc) => r.fetchNumber(rc) },
    { method: 'DELETE', product: 'messaging', path: POOL_MEMBER, handler: (rc) => r.removeNumber(rc) },
  ];
}

type ServiceColumns = Partial<Record<keyof ServiceRow, SqlValue>>;

/** Columns and settings named in a create/update form; absent parameters are left out. */
function readServiceForm(form: FormParams): { columns: ServiceColumns; settings: Partial<ServiceSettings> } {
  const columns: ServiceColumns = {};
  const friendlyName = form.get('FriendlyName');
  if (friendlyName !== undefined) {
    if (friendlyName === '' || friendlyName.length > 64) {
      throw twilioError(20001, "'FriendlyName' must be 1 to 64 characters");
    }
    columns.friendly_name = friendlyName;
  }
  const urls = [
    ['InboundRequestUrl', 'inbound_request_url'],
    ['FallbackUrl', 'fallback_url'],
    ['StatusCallback', 'status_callback'],
  ] as const;
  for (const [name, column] of urls) {
    const url = parseWebhookUrl(form, name);
    if (url !== undefined) columns[column] = url === '' ? null : url;
  }
  const inboundMethod = parseMethod(form, 'InboundMethod');
  if (inboundMethod !== undefined) columns.inbound_method = inboundMethod;
  const fallbackMethod = parseMethod(form, 'FallbackMethod');
  if (fallbackMethod !== undefined) columns.fallback_method = fallbackMethod;
  const sticky = parseBoolean(form, 'StickySender');
  if (sticky !== undefined) columns.sticky_sender = sticky ? 1 : 0;
  const onNumber = parseBoolean(form, 'UseInboundWebhookOnNumber');
  if (onNumber !== undefined) columns.use_inbound_webhook_on_number = onNumber ? 1 : 0;
  const validity = parseInteger(form, 'ValidityPeriod', 1, 36000);
  if (validity !== undefined) columns.validity_period = validity;

  const settings: Partial<ServiceSettings> = {};
  const flags = [
    ['MmsConverter', 'mms_converter'],
    ['SmartEncoding', 'smart_encoding'],
    ['FallbackToLongCode', 'fallback_to_long_code'],
    ['AreaCodeGeomatch', 'area_code_geomatch'],
    ['SynchronousValidation', 'synchronous_validation'],
  ] as const;
  for (const [name, key] of flags) {
    const value = parseBoolean(form, name);
    if (value !== undefined) settings[key] = value;
  }
  const scan = form.get('ScanMessageContent');
  if (scan !== undefined) {
    if (!SCAN_VALUES.has(scan))
      throw twilioError(20001, "'ScanMessageContent' must be inherit, enable or disable");
    settings.scan_message_content = scan as ServiceSettings['scan_message_content'];
  }
  const usecase = form.get('Usecase');
  if (usecase !== undefined) settings.usecase = usecase;
  return { columns, settings };
}

class ServiceRoutes {
  constructor(private readonly ctx: CellContext) {}

  async create(rc: RouteContext): Promise<CellResponse> {
    if (rc.form.get('FriendlyName') === undefined)
      throw twilioError(20001, "Missing required parameter 'FriendlyName'");
    const { columns, settings } = readServiceForm(rc.form);
    const now = this.ctx.now();
    const row: ServiceRow = {
      sid: newSid('MG'),
      account_sid: rc.req.accountSid,
      friendly_name: '',
      inbound_request_url: null,
      inbound_method: 'POST',
      fallback_url: null,
      fallback_method: 'POST',
      status_callback: null,
      sticky_sender: 1,
      use_inbound_webhook_on_number: 0,
      validity_period: DEFAULT_VALIDITY_PERIOD,
      ...(columns as Partial<ServiceRow>),
      settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }),
      date_created: now,
      date_updated: now,
    };
    const names = Object.keys(row) as (keyof ServiceRow)[];
    await this.ctx.store.write([
      {
        sql: `INSERT INTO messaging_services (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        params: names.map((n) => row[n]),
      },
    ]);
    return jsonResponse(201, serviceJson(row, rc.req.origin));
  }

  async list(rc: RouteContext): Promise<CellResponse> {
    const paging = readPaging(rc.query);
    const page = await keysetPage<ServiceRow>(this.ctx.store, {
      table: 'messaging_services',
      where: ['account_sid = ?'],
      params: [rc.req.accountSid],
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      listV1({
        key: 'services',
        origin: rc.req.origin,
        prefix: MESSAGING_PREFIX,
        path: SERVICES,
        query: rc.query,
        records: page.rows.map((row) => serviceJson(row, rc.req.origin)),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    return jsonResponse(200, serviceJson(await this.service(rc, 'Sid'), rc.req.origin));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const current = await this.service(rc, 'Sid');
    const { columns, settings } = readServiceForm(rc.form);
    const merged = { ...(JSON.parse(current.settings) as Partial<ServiceSettings>), ...settings };
    const names = Object.keys(columns) as (keyof ServiceRow)[];
    await this.ctx.store.write([
      {
        sql: `UPDATE messaging_services SET ${names.map((n) => `${n} = ?, `).join('')}settings = ?, date_updated = ? WHERE sid = ?`,
        params: [
          ...names.map((n) => columns[n] ?? null),
          JSON.stringify(merged),
          this.ctx.now(),
          current.sid,
        ],
      },
    ]);
    return jsonResponse(200, serviceJson(await this.service(rc, 'Sid'), rc.req.origin));
  }

  async remove(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc, 'Sid');
    await this.ctx.store.write([
      { sql: 'DELETE FROM messaging_service_numbers WHERE service_sid = ?', params: [service.sid] },
      { sql: 'DELETE FROM messaging_services WHERE sid = ?', params: [service.sid] },
    ]);
    return { status: 204, body: '' };
  }

  async addNumber(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc, 'ServiceSid');
    const phoneNumberSid = rc.form.get('PhoneNumberSid');
    if (phoneNumberSid === undefined) throw twilioError(20001, "Missing required parameter 'PhoneNumberSid'");
    const number = await findNumberBySid(this.ctx.store, rc.req.accountSid, phoneNumberSid);
    if (number === undefined) {
      throw twilioError(
        21421,
        `PhoneNumberSid ${phoneNumberSid} is not an IncomingPhoneNumber of this account`,
      );
    }
    const now = this.ctx.now();
    try {
      await this.ctx.store.write([
        {
          sql: `INSERT INTO messaging_service_numbers (service_sid, phone_number_sid, account_sid, date_created, date_updated)
                VALUES (?, ?, ?, ?, ?)`,
          params: [service.sid, number.sid, service.account_sid, now, now],
        },
      ]);
    } catch {
      // The unique constraint on phone_number_sid: the number already sits in a pool.
      throw twilioError(
        NUMBER_IN_ANOTHER_SERVICE,
        `Phone number ${number.phone_number} is already in a Messaging Service`,
        {
          status: 400,
        },
      );
    }
    return jsonResponse(
      201,
      poolMemberJson(await this.poolMember(rc, service.sid, number.sid), rc.req.origin),
    );
  }

  async listNumbers(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc, 'ServiceSid');
    const paging = readPaging(rc.query);
    const page = await keysetPage<PoolMemberRow>(this.ctx.store, {
      table: POOL_TABLE,
      where: ['service_sid = ?'],
      params: [service.sid],
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      listV1({
        key: 'phone_numbers',
        origin: rc.req.origin,
        prefix: MESSAGING_PREFIX,
        path: `${SERVICES}/${service.sid}/PhoneNumbers`,
        query: rc.query,
        records: page.rows.map((row) => poolMemberJson(row, rc.req.origin)),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetchNumber(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc, 'ServiceSid');
    return jsonResponse(
      200,
      poolMemberJson(await this.poolMember(rc, service.sid, param(rc, 'Sid')), rc.req.origin),
    );
  }

  async removeNumber(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc, 'ServiceSid');
    const member = await this.poolMember(rc, service.sid, param(rc, 'Sid'));
    await this.ctx.store.write([
      {
        sql: 'DELETE FROM messaging_service_numbers WHERE service_sid = ? AND phone_number_sid = ?',
        params: [service.sid, member.sid],
      },
    ]);
    return { status: 204, body: '' };
  }

  private async service(rc: RouteContext, name: string): Promise<ServiceRow> {
    const row = await findService(this.ctx.store, rc.req.accountSid, param(rc, name));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }

  private async poolMember(rc: RouteContext, serviceSid: string, sid: string): Promise<PoolMemberRow> {
    const row = await this.ctx.store.get<PoolMemberRow>(
      `SELECT * FROM ${POOL_TABLE} WHERE service_sid = ? AND sid = ?`,
      [serviceSid, sid],
    );
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}
