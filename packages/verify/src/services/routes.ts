import { isSid, jsonResponse, listV1, newSid, notFound, readPaging } from '@twilio-lab/core';
import type { CellResponse, FormParams } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { SqlValue } from '@twilio-lab/backends';
import type { ServiceRow } from '../schema.js';
import { keysetPage } from '@twilio-lab/cell';
import { invalid, missing, param, parseBoolean, parseInteger, parseString } from '../util/params.js';
import { findService } from './repo.js';
import { VERIFY_PREFIX, defaultSettings, serviceJson } from './representation.js';
import type { ServiceSettings } from './representation.js';

const SERVICES = '/v2/Services';
const SERVICE = '/v2/Services/:Sid';
const DEFAULT_CODE_LENGTH = 6;
const MAX_FRIENDLY_NAME = 32;

type ServiceColumns = Partial<
  Omit<ServiceRow, 'sid' | 'account_sid' | 'settings' | 'date_created' | 'date_updated'>
>;

/** Boolean parameters and the 0/1 column each one sets. */
const FLAG_COLUMNS = [
  ['LookupEnabled', 'lookup_enabled'],
  ['SkipSmsToLandlines', 'skip_sms_to_landlines'],
  ['Psd2Enabled', 'psd2_enabled'],
  ['DtmfInputRequired', 'dtmf_input_required'],
  ['DoNotShareWarningEnabled', 'do_not_share_warning_enabled'],
  ['CustomCodeEnabled', 'custom_code_enabled'],
  ['VerifyEventSubscriptionEnabled', 'verify_event_subscription_enabled'],
] as const;

export function serviceRoutes(ctx: CellContext, now: () => number): RouteDef[] {
  const r = new ServiceRoutes(ctx, now);
  return [
    { method: 'POST', product: 'verify', path: SERVICES, handler: (rc) => r.create(rc) },
    { method: 'GET', product: 'verify', path: SERVICES, handler: (rc) => r.list(rc) },
    { method: 'GET', product: 'verify', path: SERVICE, handler: (rc) => r.fetch(rc) },
    { method: 'POST', product: 'verify', path: SERVICE, handler: (rc) => r.update(rc) },
    { method: 'DELETE', product: 'verify', path: SERVICE, handler: (rc) => r.remove(rc) },
  ];
}

/** Columns named by the form; absent parameters are left out (update keeps them). */
function readColumns(form: FormParams): ServiceColumns {
  const columns: ServiceColumns = {};
  const friendlyName = parseString(form, 'FriendlyName', 1, MAX_FRIENDLY_NAME);
  if (friendlyName !== undefined) columns.friendly_name = friendlyName;
  const codeLength = parseInteger(form, 'CodeLength', 4, 10);
  if (codeLength !== undefined) columns.code_length = codeLength;
  for (const [name, column] of FLAG_COLUMNS) {
    const value = parseBoolean(form, name);
    if (value !== undefined) columns[column] = value ? 1 : 0;
  }
  const ttsName = form.get('TtsName');
  if (ttsName !== undefined) columns.tts_name = ttsName === '' ? null : ttsName;
  const template = form.get('DefaultTemplateSid');
  if (template !== undefined) {
    if (template !== '' && !isSid(template, 'HJ')) throw invalid('DefaultTemplateSid');
    columns.default_template_sid = template === '' ? null : template;
  }
  return columns;
}

/** Applies the dotted Push./Totp./Whatsapp./Passkeys. parameters onto the stored settings. */
function applySettings(form: FormParams, settings: ServiceSettings): ServiceSettings {
  const next: ServiceSettings = JSON.parse(JSON.stringify(settings)) as ServiceSettings;
  const includeDate = parseBoolean(form, 'Push.IncludeDate');
  if (includeDate !== undefined) next.push.include_date = includeDate;
  const apn = form.get('Push.ApnCredentialSid');
  if (apn !== undefined) next.push.apn_credential_sid = orNull(apn);
  const fcm = form.get('Push.FcmCredentialSid');
  if (fcm !== undefined) next.push.fcm_credential_sid = orNull(fcm);
  const issuer = form.get('Totp.Issuer');
  if (issuer !== undefined) next.totp.issuer = orNull(issuer);
  const timeStep = parseInteger(form, 'Totp.TimeStep', 20, 60);
  if (timeStep !== undefined) next.totp.time_step = timeStep;
  const totpLength = parseInteger(form, 'Totp.CodeLength', 3, 8);
  if (totpLength !== undefined) next.totp.code_length = totpLength;
  const skew = parseInteger(form, 'Totp.Skew', 0, 2);
  if (skew !== undefined) next.totp.skew = skew;
  const msgService = form.get('Whatsapp.MsgServiceSid');
  if (msgService !== undefined) next.whatsapp.msg_service_sid = orNull(msgService);
  const from = form.get('Whatsapp.From');
  if (from !== undefined) next.whatsapp.from = orNull(from);
  const rpId = form.get('Passkeys.RelyingParty.Id');
  if (rpId !== undefined) next.passkeys.relying_party.id = orNull(rpId);
  const rpName = form.get('Passkeys.RelyingParty.Name');
  if (rpName !== undefined) next.passkeys.relying_party.name = orNull(rpName);
  const origins = form.get('Passkeys.RelyingParty.Origins');
  if (origins !== undefined) {
    next.passkeys.relying_party.origins = origins
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
  }
  const attachment = form.get('Passkeys.AuthenticatorAttachment');
  if (attachment !== undefined) next.passkeys.authenticator_attachment = attachment;
  const discoverable = form.get('Passkeys.DiscoverableCredentials');
  if (discoverable !== undefined) next.passkeys.discoverable_credentials = orNull(discoverable);
  const userVerification = form.get('Passkeys.UserVerification');
  if (userVerification !== undefined) next.passkeys.user_verification = orNull(userVerification);
  return next;
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

class ServiceRoutes {
  constructor(
    private readonly ctx: CellContext,
    private readonly now: () => number,
  ) {}

  async create(rc: RouteContext): Promise<CellResponse> {
    if (rc.form.get('FriendlyName') === undefined) throw missing('FriendlyName');
    const columns = readColumns(rc.form);
    const now = this.now();
    const row: ServiceRow = {
      sid: newSid('VA'),
      account_sid: rc.req.accountSid,
      friendly_name: '',
      code_length: DEFAULT_CODE_LENGTH,
      lookup_enabled: 0,
      skip_sms_to_landlines: 0,
      psd2_enabled: 0,
      dtmf_input_required: 0,
      tts_name: null,
      do_not_share_warning_enabled: 0,
      custom_code_enabled: 0,
      default_template_sid: null,
      verify_event_subscription_enabled: 0,
      ...columns,
      settings: JSON.stringify(applySettings(rc.form, defaultSettings())),
      date_created: now,
      date_updated: now,
    };
    const names = Object.keys(row) as (keyof ServiceRow)[];
    await this.ctx.store.write([
      {
        sql: `INSERT INTO verify_services (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        params: names.map((n) => row[n]),
      },
    ]);
    return jsonResponse(201, serviceJson(row, rc.req.origin));
  }

  async list(rc: RouteContext): Promise<CellResponse> {
    const paging = readPaging(rc.query);
    const page = await keysetPage<ServiceRow>(this.ctx.store, {
      table: 'verify_services',
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
        prefix: VERIFY_PREFIX,
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
    return jsonResponse(200, serviceJson(await this.service(rc), rc.req.origin));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const current = await this.service(rc);
    const columns = readColumns(rc.form);
    const settings = applySettings(rc.form, JSON.parse(current.settings) as ServiceSettings);
    const names = Object.keys(columns) as (keyof ServiceColumns)[];
    const values: SqlValue[] = names.map((n) => columns[n] ?? null);
    await this.ctx.store.write([
      {
        sql: `UPDATE verify_services SET ${names.map((n) => `${n} = ?, `).join('')}settings = ?, date_updated = ? WHERE sid = ?`,
        params: [...values, JSON.stringify(settings), this.now(), current.sid],
      },
    ]);
    return jsonResponse(200, serviceJson(await this.service(rc), rc.req.origin));
  }

  async remove(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    // Pending verifications live in the cache and simply expire: every verification route
    // looks the service up first, so they are unreachable from now on.
    await this.ctx.store.write([
      { sql: 'DELETE FROM verify_rate_limit_buckets WHERE service_sid = ?', params: [service.sid] },
      { sql: 'DELETE FROM verify_rate_limits WHERE service_sid = ?', params: [service.sid] },
      { sql: 'DELETE FROM verify_services WHERE sid = ?', params: [service.sid] },
    ]);
    return { status: 204, body: '' };
  }

  private async service(rc: RouteContext): Promise<ServiceRow> {
    const row = await findService(this.ctx.store, rc.req.accountSid, param(rc, 'Sid'));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}
