import { isE164, jsonResponse, list2010, newSid, notFound, readPaging, twilioError } from '@twilio-lab/core';
import type { CellResponse } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { SqlValue, WriteOp } from '@twilio-lab/backends';
import { keysetPage } from '@twilio-lab/cell';
import { parseBoolean, parseMethod, parseWebhookUrl } from '../util/params.js';
import { accountOf, param } from '../util/scope.js';
import { directoryFor } from '../directory/directory.js';
import { findNumberBySid } from './repo.js';
import { defaultFriendlyName, numberJson } from './representation.js';
import { NUMBER_METHOD_FIELDS, NUMBER_URL_FIELDS } from './schema.js';
import type { NumberRow } from './schema.js';

const LIST_PATH = '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers.json';
const ITEM_PATH = '/2010-04-01/Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json';
const AREA_CODE_ATTEMPTS = 20;
const AREA_CODE = /^[2-9]\d\d$/;
const LIKE_SPECIALS = /[\\%_]/g;

export function numberRoutes(ctx: CellContext): RouteDef[] {
  const routes = new NumberRoutes(ctx);
  return [
    { method: 'POST', product: 'api', path: LIST_PATH, handler: (rc) => routes.create(rc) },
    { method: 'GET', product: 'api', path: LIST_PATH, handler: (rc) => routes.list(rc) },
    { method: 'GET', product: 'api', path: ITEM_PATH, handler: (rc) => routes.fetch(rc) },
    { method: 'POST', product: 'api', path: ITEM_PATH, handler: (rc) => routes.update(rc) },
    { method: 'DELETE', product: 'api', path: ITEM_PATH, handler: (rc) => routes.remove(rc) },
  ];
}

/** Settable columns read from a create/update form; absent parameters are left out. */
function settableFields(rc: RouteContext): Partial<Record<keyof NumberRow, SqlValue>> {
  const fields: Partial<Record<keyof NumberRow, SqlValue>> = {};
  const friendlyName = rc.form.get('FriendlyName');
  if (friendlyName !== undefined) {
    if (friendlyName.length > 64) throw twilioError(20001, "'FriendlyName' must be at most 64 characters");
    fields.friendly_name = friendlyName;
  }
  for (const [name, column] of NUMBER_URL_FIELDS) {
    const url = parseWebhookUrl(rc.form, name);
    if (url !== undefined) fields[column] = url;
  }
  for (const [name, column] of NUMBER_METHOD_FIELDS) {
    const method = parseMethod(rc.form, name);
    if (method !== undefined) fields[column] = method;
  }
  const lookup = parseBoolean(rc.form, 'VoiceCallerIdLookup');
  if (lookup !== undefined) fields.voice_caller_id_lookup = lookup ? 1 : 0;
  return fields;
}

class NumberRoutes {
  constructor(private readonly ctx: CellContext) {}

  async create(rc: RouteContext): Promise<CellResponse> {
    const accountSid = accountOf(rc);
    const fields = settableFields(rc);
    const e164 = await this.chooseNumber(rc);
    const existing = await this.ctx.store.get(
      'SELECT sid FROM incoming_phone_numbers WHERE phone_number = ?',
      [e164],
    );
    if (existing !== undefined) throw twilioError(21422, `The phone number ${e164} is already provisioned`);
    if (!(await this.ctx.identity.claimNumber(e164, accountSid))) {
      throw twilioError(21422, `The phone number ${e164} is not available: another account owns it`);
    }
    const now = this.ctx.now();
    const row: Record<string, SqlValue> = {
      sid: newSid('PN'),
      account_sid: accountSid,
      phone_number: e164,
      friendly_name: defaultFriendlyName(e164),
      ...fields,
      date_created: now,
      date_updated: now,
    };
    const columns = Object.keys(row);
    const op: WriteOp = {
      sql: `INSERT INTO incoming_phone_numbers (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      params: columns.map((c) => row[c] ?? null),
    };
    try {
      await this.ctx.store.write([op]);
    } catch (err) {
      // A concurrent create of the same number won the unique constraint; give the claim back.
      await this.ctx.identity.releaseNumber(e164, accountSid);
      this.ctx.log.warn({ err: String(err), phoneNumber: e164 }, 'incoming phone number insert failed');
      throw twilioError(21422, `The phone number ${e164} is already provisioned`);
    }
    const saved = await findNumberBySid(this.ctx.store, accountSid, String(row.sid));
    if (saved === undefined) throw notFound(rc.req.path);
    directoryFor(this.ctx.store).putNumber(saved);
    return jsonResponse(201, numberJson(saved));
  }

  /** PhoneNumber as given, or a free number in AreaCode (US/CA) when only that is given. */
  private async chooseNumber(rc: RouteContext): Promise<string> {
    const phoneNumber = rc.form.get('PhoneNumber');
    if (phoneNumber !== undefined) {
      if (!isE164(phoneNumber))
        throw twilioError(21421, `The phone number ${phoneNumber} is not a valid E.164 number`);
      return phoneNumber;
    }
    const areaCode = rc.form.get('AreaCode');
    if (areaCode === undefined) throw twilioError(21421, "A 'PhoneNumber' or an 'AreaCode' is required");
    if (!AREA_CODE.test(areaCode)) throw twilioError(21421, `The area code ${areaCode} is invalid`);
    for (let attempt = 0; attempt < AREA_CODE_ATTEMPTS; attempt++) {
      const candidate = `+1${areaCode}${2 + Math.floor(Math.random() * 8)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
      if ((await this.ctx.identity.numberOwner(candidate)) === undefined) return candidate;
    }
    throw twilioError(21422, `No phone number is available in area code ${areaCode}`);
  }

  async list(rc: RouteContext): Promise<CellResponse> {
    const accountSid = accountOf(rc);
    const paging = readPaging(rc.query);
    const where = ['account_sid = ?'];
    const params: SqlValue[] = [accountSid];
    const phoneNumber = rc.query.get('PhoneNumber');
    if (phoneNumber !== undefined && phoneNumber !== '') {
      // Partial numbers match anywhere; '*' is Twilio's one-digit wildcard.
      where.push("phone_number LIKE ? ESCAPE '\\'");
      params.push('%' + phoneNumber.replace(LIKE_SPECIALS, '\\$&').replaceAll('*', '_') + '%');
    }
    const friendlyName = rc.query.get('FriendlyName');
    if (friendlyName !== undefined) {
      where.push('friendly_name = ?');
      params.push(friendlyName);
    }
    const page = await keysetPage<NumberRow>(this.ctx.store, {
      table: 'incoming_phone_numbers',
      where,
      params,
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      list2010({
        key: 'incoming_phone_numbers',
        path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`,
        query: rc.query,
        records: page.rows.map(numberJson),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    return jsonResponse(200, numberJson(await this.existing(rc)));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const row = await this.existing(rc);
    const fields = settableFields(rc);
    const columns = Object.keys(fields) as (keyof NumberRow)[];
    if (columns.length > 0) {
      const now = this.ctx.now();
      await this.ctx.store.write([
        {
          sql: `UPDATE incoming_phone_numbers SET ${columns.map((c) => `${c} = ?`).join(', ')}, date_updated = ? WHERE sid = ?`,
          params: [...columns.map((c) => fields[c] ?? null), now, row.sid],
        },
      ]);
    }
    const updated = await this.existing(rc);
    // Read after the write resolved: as new as this update, or newer.
    directoryFor(this.ctx.store).putNumber(updated);
    return jsonResponse(200, numberJson(updated));
  }

  async remove(rc: RouteContext): Promise<CellResponse> {
    const row = await this.existing(rc);
    await this.ctx.store.write([
      { sql: 'DELETE FROM incoming_phone_numbers WHERE sid = ?', params: [row.sid] },
    ]);
    directoryFor(this.ctx.store).removeNumber(row.phone_number);
    await this.ctx.identity.releaseNumber(row.phone_number, row.account_sid);
    return { status: 204, body: '' };
  }

  private async existing(rc: RouteContext): Promise<NumberRow> {
    const row = await findNumberBySid(this.ctx.store, accountOf(rc), param(rc, 'Sid'));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}
