import { isSid, iso8601, jsonResponse, listV1, newSid, notFound, readPaging } from '@twilio-lab/core';
import type { CellResponse } from '@twilio-lab/core';
import type { CellContext, RouteContext, RouteDef } from '@twilio-lab/cell';
import type { BucketRow, RateLimitRow, ServiceRow } from '../schema.js';
import { VERIFY_PREFIX, serviceUrl } from '../services/representation.js';
import { findService } from '../services/repo.js';
import { keysetPage } from '@twilio-lab/cell';
import { invalid, param, parseInteger, parseString } from '../util/params.js';

const RATE_LIMITS = '/v2/Services/:ServiceSid/RateLimits';
const RATE_LIMIT = '/v2/Services/:ServiceSid/RateLimits/:Sid';
const BUCKETS = '/v2/Services/:ServiceSid/RateLimits/:RateLimitSid/Buckets';
const BUCKET = '/v2/Services/:ServiceSid/RateLimits/:RateLimitSid/Buckets/:Sid';
/** Letters, digits, '.', '_' and '-' (a name travels as a JSON key and in form keys). */
const UNIQUE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_DESCRIPTION = 255;
/** A bucket's window: one second to one day. */
const MAX_INTERVAL_SECONDS = 86_400;
const MAX_REQUESTS = 1_000_000;

export function rateLimitRoutes(ctx: CellContext, now: () => number): RouteDef[] {
  const r = new RateLimitRoutes(ctx, now);
  return [
    { method: 'POST', product: 'verify', path: RATE_LIMITS, handler: (rc) => r.create(rc) },
    { method: 'GET', product: 'verify', path: RATE_LIMITS, handler: (rc) => r.list(rc) },
    { method: 'GET', product: 'verify', path: RATE_LIMIT, handler: (rc) => r.fetch(rc) },
    { method: 'POST', product: 'verify', path: RATE_LIMIT, handler: (rc) => r.update(rc) },
    { method: 'DELETE', product: 'verify', path: RATE_LIMIT, handler: (rc) => r.remove(rc) },
    { method: 'POST', product: 'verify', path: BUCKETS, handler: (rc) => r.createBucket(rc) },
    { method: 'GET', product: 'verify', path: BUCKETS, handler: (rc) => r.listBuckets(rc) },
    { method: 'GET', product: 'verify', path: BUCKET, handler: (rc) => r.fetchBucket(rc) },
    { method: 'POST', product: 'verify', path: BUCKET, handler: (rc) => r.updateBucket(rc) },
    { method: 'DELETE', product: 'verify', path: BUCKET, handler: (rc) => r.removeBucket(rc) },
  ];
}

function rateLimitUrl(origin: string, row: { service_sid: string; sid: string }): string {
  return `${serviceUrl(origin, row.service_sid)}/RateLimits/${row.sid}`;
}

/** verify.v2.service.rate_limit */
export function rateLimitJson(row: RateLimitRow, origin: string): Record<string, unknown> {
  const url = rateLimitUrl(origin, row);
  return {
    sid: row.sid,
    service_sid: row.service_sid,
    account_sid: row.account_sid,
    unique_name: row.unique_name,
    description: row.description,
    date_created: iso8601(Number(row.date_created)),
    date_updated: iso8601(Number(row.date_updated)),
    url,
    links: { buckets: `${url}/Buckets` },
  };
}

/** verify.v2.service.rate_limit.bucket */
export function bucketJson(row: BucketRow, origin: string): Record<string, unknown> {
  return {
    sid: row.sid,
    rate_limit_sid: row.rate_limit_sid,
    service_sid: row.service_sid,
    account_sid: row.account_sid,
    max: Number(row.max_requests),
    interval: Number(row.interval_seconds),
    date_created: iso8601(Number(row.date_created)),
    date_updated: iso8601(Number(row.date_updated)),
    url: `${rateLimitUrl(origin, { service_sid: row.service_sid, sid: row.rate_limit_sid })}/Buckets/${row.sid}`,
  };
}

class RateLimitRoutes {
  constructor(
    private readonly ctx: CellContext,
    private readonly now: () => number,
  ) {}

  async create(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const uniqueName = rc.form.get('UniqueName');
    if (uniqueName === undefined || !UNIQUE_NAME.test(uniqueName)) {
      throw invalid('UniqueName', "expected 1 to 64 letters, digits, '.', '_' or '-'");
    }
    const description = parseString(rc.form, 'Description', 0, MAX_DESCRIPTION);
    const now = this.now();
    const row: RateLimitRow = {
      sid: newSid('RK'),
      service_sid: service.sid,
      account_sid: service.account_sid,
      unique_name: uniqueName,
      description: description ?? null,
      date_created: now,
      date_updated: now,
    };
    try {
      await this.ctx.store.write([
        {
          sql: `INSERT INTO verify_rate_limits (sid, service_sid, account_sid, unique_name, description, date_created, date_updated)
                VALUES (?, ?, ?, ?, ?, ?, ?)`,
          params: [row.sid, row.service_sid, row.account_sid, row.unique_name, row.description, now, now],
        },
      ]);
    } catch (e) {
      const existing = await this.findRateLimit(service.sid, uniqueName);
      if (existing !== undefined)
        throw invalid('UniqueName', `a rate limit named '${uniqueName}' already exists`);
      throw e;
    }
    return jsonResponse(201, rateLimitJson(row, rc.req.origin));
  }

  async list(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const paging = readPaging(rc.query);
    const page = await keysetPage<RateLimitRow>(this.ctx.store, {
      table: 'verify_rate_limits',
      where: ['service_sid = ?'],
      params: [service.sid],
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      listV1({
        key: 'rate_limits',
        origin: rc.req.origin,
        prefix: VERIFY_PREFIX,
        path: `/v2/Services/${service.sid}/RateLimits`,
        query: rc.query,
        records: page.rows.map((row) => rateLimitJson(row, rc.req.origin)),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetch(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    return jsonResponse(200, rateLimitJson(await this.rateLimit(rc, service, 'Sid'), rc.req.origin));
  }

  async update(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const current = await this.rateLimit(rc, service, 'Sid');
    const description = parseString(rc.form, 'Description', 0, MAX_DESCRIPTION);
    const now = this.now();
    const row: RateLimitRow = {
      ...current,
      description: description === undefined ? current.description : description,
      date_updated: now,
    };
    await this.ctx.store.write([
      {
        sql: 'UPDATE verify_rate_limits SET description = ?, date_updated = ? WHERE sid = ?',
        params: [row.description, now, row.sid],
      },
    ]);
    return jsonResponse(200, rateLimitJson(row, rc.req.origin));
  }

  async remove(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const current = await this.rateLimit(rc, service, 'Sid');
    await this.ctx.store.write([
      { sql: 'DELETE FROM verify_rate_limit_buckets WHERE rate_limit_sid = ?', params: [current.sid] },
      { sql: 'DELETE FROM verify_rate_limits WHERE sid = ?', params: [current.sid] },
    ]);
    return { status: 204, body: '' };
  }

  async createBucket(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const limit = await this.rateLimit(rc, service, 'RateLimitSid');
    const max = parseInteger(rc.form, 'Max', 1, MAX_REQUESTS);
    if (max === undefined) throw invalid('Max');
    const interval = parseInteger(rc.form, 'Interval', 1, MAX_INTERVAL_SECONDS);
    if (interval === undefined) throw invalid('Interval');
    const now = this.now();
    const row: BucketRow = {
      sid: newSid('BL'),
      rate_limit_sid: limit.sid,
      service_sid: service.sid,
      account_sid: service.account_sid,
      max_requests: max,
      interval_seconds: interval,
      date_created: now,
      date_updated: now,
    };
    await this.ctx.store.write([
      {
        sql: `INSERT INTO verify_rate_limit_buckets (sid, rate_limit_sid, service_sid, account_sid, max_requests, interval_seconds, date_created, date_updated)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [row.sid, row.rate_limit_sid, row.service_sid, row.account_sid, max, interval, now, now],
      },
    ]);
    return jsonResponse(201, bucketJson(row, rc.req.origin));
  }

  async listBuckets(rc: RouteContext): Promise<CellResponse> {
    const service = await this.service(rc);
    const limit = await this.rateLimit(rc, service, 'RateLimitSid');
    const paging = readPaging(rc.query);
    const page = await keysetPage<BucketRow>(this.ctx.store, {
      table: 'verify_rate_limit_buckets',
      where: ['rate_limit_sid = ?'],
      params: [limit.sid],
      newestFirst: false,
      paging,
    });
    return jsonResponse(
      200,
      listV1({
        key: 'buckets',
        origin: rc.req.origin,
        prefix: VERIFY_PREFIX,
        path: `/v2/Services/${service.sid}/RateLimits/${limit.sid}/Buckets`,
        query: rc.query,
        records: page.rows.map((row) => bucketJson(row, rc.req.origin)),
        pageSize: paging.pageSize,
        page: paging.page,
        nextToken: page.nextToken,
        prevToken: page.prevToken,
      }),
    );
  }

  async fetchBucket(rc: RouteContext): Promise<CellResponse> {
    return jsonResponse(200, bucketJson(await this.bucket(rc), rc.req.origin));
  }

  async updateBucket(rc: RouteContext): Promise<CellResponse> {
    const current = await this.bucket(rc);
    const max = parseInteger(rc.form, 'Max', 1, MAX_REQUESTS);
    const interval = parseInteger(rc.form, 'Interval', 1, MAX_INTERVAL_SECONDS);
    const now = this.now();
    const row: BucketRow = {
      ...current,
      max_requests: max ?? Number(current.max_requests),
      interval_seconds: interval ?? Number(current.interval_seconds),
      date_updated: now,
    };
    await this.ctx.store.write([
      {
        sql: 'UPDATE verify_rate_limit_buckets SET max_requests = ?, interval_seconds = ?, date_updated = ? WHERE sid = ?',
        params: [row.max_requests, row.interval_seconds, now, row.sid],
      },
    ]);
    return jsonResponse(200, bucketJson(row, rc.req.origin));
  }

  async removeBucket(rc: RouteContext): Promise<CellResponse> {
    const current = await this.bucket(rc);
    await this.ctx.store.write([
      { sql: 'DELETE FROM verify_rate_limit_buckets WHERE sid = ?', params: [current.sid] },
    ]);
    return { status: 204, body: '' };
  }

  private async bucket(rc: RouteContext): Promise<BucketRow> {
    const service = await this.service(rc);
    const limit = await this.rateLimit(rc, service, 'RateLimitSid');
    const row = await this.ctx.store.get<BucketRow>(
      'SELECT * FROM verify_rate_limit_buckets WHERE sid = ? AND rate_limit_sid = ?',
      [param(rc, 'Sid'), limit.sid],
    );
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }

  /** A rate limit by its RK SID or, as Twilio allows, by its unique name. */
  private async rateLimit(rc: RouteContext, service: ServiceRow, name: string): Promise<RateLimitRow> {
    const key = param(rc, name);
    const row = isSid(key, 'RK')
      ? await this.ctx.store.get<RateLimitRow>(
          'SELECT * FROM verify_rate_limits WHERE sid = ? AND service_sid = ?',
          [key, service.sid],
        )
      : await this.findRateLimit(service.sid, key);
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }

  private findRateLimit(serviceSid: string, uniqueName: string): Promise<RateLimitRow | undefined> {
    return this.ctx.store.get<RateLimitRow>(
      'SELECT * FROM verify_rate_limits WHERE service_sid = ? AND unique_name = ?',
      [serviceSid, uniqueName],
    );
  }

  private async service(rc: RouteContext): Promise<ServiceRow> {
    const row = await findService(this.ctx.store, rc.req.accountSid, param(rc, 'ServiceSid'));
    if (row === undefined) throw notFound(rc.req.path);
    return row;
  }
}
