import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isBackendUnavailable, LocalTokenBuckets } from '@twilio-lab/backends';
import type { TokenTake } from '@twilio-lab/backends';
import {
  errorResponse,
  newRequestId,
  notFound,
  toErrorResponse,
  TwilioError,
  twilioError,
} from '@twilio-lab/core';
import type { CellHandler, CellRequest, CellResponse, HttpMethod, ProductId } from '@twilio-lab/core';
import { handleIdentityRequest, isIdentityPath } from '@twilio-lab/identity';
import type { IdentityService, Principal } from '@twilio-lab/identity';
import { createRegistry, metricsText } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';
import { pathAccountSid } from './account-scope.js';
import {
  ACCOUNT_NOT_ACTIVE,
  DRAINING,
  HEALTH_DRAINING,
  HEALTHY,
  LAB_UNAUTHORIZED,
  METHOD_NOT_ALLOWED,
  NO_CELL,
  TOO_LARGE,
  tooManyRequests,
  UNAUTHORIZED,
} from './canned-responses.js';
import { GatewayError } from './errors.js';
import {
  GATEWAY_PRODUCT,
  GatewayMetrics,
  isLoopbackHost,
  LAB_PRODUCT,
  methodIndex,
  OTHER_METHOD_INDEX,
  TIER_NONE,
  tierIndex,
} from './gateway-metrics.js';
import type { RouteSeries } from './gateway-metrics.js';
import { PrincipalCache } from './principal-cache.js';
import { resolveProduct } from './products.js';
import { loadUws } from './uws.js';
import type { UwsApp, UwsHttpRequest, UwsHttpResponse, UwsListenSocket, UwsModule } from './uws.js';
import { writeResponse } from './write-response.js';

/** Maps an account to the cell that hosts it (embedded map, or a routing table in topology mode). */
export interface CellRouter {
  cellFor(accountSid: string): CellHandler | undefined;
}

export interface LabControlRequest {
  method: HttpMethod;
  /** Path below '/lab', starting with '/'. */
  path: string;
  query: string;
  body: string;
  contentType: string;
  origin: string;
}

/** The lab's control API (`/lab/…`), reached only with the admin token. */
export interface LabControl {
  handle(req: LabControlRequest): Promise<CellResponse>;
}

/** What the gateway logs; the cell package's Logger fits. */
export interface GatewayLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GatewayOptions {
  identity: IdentityService;
  router: CellRouter;
  labControl?: LabControl;
  /** Bearer token of the lab control API; without one, `/lab/…` always answers 401. */
  adminToken?: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Per authenticated account; no limit when absent. */
  rateLimit?: { ratePerSec: number; burst: number };
  /**
   * Where the per-account buckets live. Default: in this process. Several gateways share one
   * limit through a shared one (the lab passes Redis buckets on the real engines). A limiter
   * that fails lets the request through (fail open: an unreachable Redis must not stop the
   * API), logged once per failure streak.
   */
  rateLimiter?: RateLimiter;
  /** Largest request body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Most cached credentials. Default 10,000. */
  principalCacheSize?: number;
  log?: GatewayLogger;
  /**
   * Microseconds of CPU burnt on every API request: a deliberately slower build, to prove that
   * the performance gate (`twilio-lab bench --baseline`) catches one. 0 (the default) in any
   * real use.
   */
  handicapMicros?: number;
  /**
   * Where the gateway's metrics go; the registry is also served as `GET /metrics` on the API
   * port (without credentials when the gateway listens on loopback, else with the admin token).
   * Default: a registry of its own (process 'gateway'). false: no metrics and no /metrics.
   */
  metrics?: Registry | false;
}

export interface Gateway {
  /** Starts accepting connections; resolves with the bound port. */
  listen(): Promise<number>;
  /** The bound port (0 before listen). */
  readonly port: number;
  /** From now on every new request gets 503 20503 (health reports 'draining'). */
  drain(): void;
  /** Stops listening, waits (up to 5 s) for requests in flight, then closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const CLOSE_GRACE_MS = 5_000;
const LAB_PREFIX = '/lab';
const METRICS_PATH = '/metrics';
const MAX_REQUEST_ID_LENGTH = 128;
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
/** Request headers handed to cells (TaskRouter's If-Match, Conversations' webhook switch). */
const FORWARDED_HEADERS = ['if-match', 'x-twilio-webhook-enabled'] as const;

/** uWS reports methods in lower case (the official build may keep the client's case). */
const METHODS: ReadonlyMap<string, HttpMethod> = new Map([
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['delete', 'DELETE'],
  ['GET', 'GET'],
  ['POST', 'POST'],
  ['PUT', 'PUT'],
  ['DELETE', 'DELETE'],
]);

/** One request/response pair: what was read from the uWS request before it became invalid. */
class Exchange {
  aborted = false;
  answered = false;
  /** Set when answering before the body was read: the connection cannot be reused. */
  closeAfter = false;
  omitBody = false;
  requestId = '';
  method: HttpMethod = 'GET';
  product: ProductId = 'api';
  isLab = false;
  path = '';
  query = '';
  authorization = '';
  host = '';
  contentType = '';
  headers: Readonly<Record<string, string>> = NO_HEADERS;
  /** What the answer is recorded under; undefined when metrics are off. */
  series: RouteSeries | undefined = undefined;
  methodIndex = OTHER_METHOD_INDEX;
  tier = TIER_NONE;

  constructor(
    readonly res: UwsHttpResponse,
    /** performance.now() when the request arrived. */
    readonly start: number,
  ) {}
}

function readForwardedHeaders(req: UwsHttpRequest): Readonly<Record<string, string>> {
  let headers: Record<string, string> | undefined;
  for (const name of FORWARDED_HEADERS) {
    const value = req.getHeader(name);
    if (value !== '') (headers ??= {})[name] = value;
  }
  return headers ?? NO_HEADERS;
}

function validateOptions(o: GatewayOptions): void {
  const limit = o.bodyLimitBytes;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new GatewayError(
      'GATEWAY_INVALID_OPTIONS',
      `bodyLimitBytes must be a positive integer, got ${limit}`,
    );
  }
  const rate = o.rateLimit;
  if (rate !== undefined && !(rate.ratePerSec > 0 && rate.burst >= 1)) {
    throw new GatewayError(
      'GATEWAY_INVALID_OPTIONS',
      `rateLimit needs ratePerSec > 0 and burst >= 1, got ${rate.ratePerSec}/${rate.burst}`,
    );
  }
}

class UwsGateway implements Gateway {
  private readonly app: UwsApp;
  private readonly identity: IdentityService;
  private readonly router: CellRouter;
  private readonly labControl: LabControl | undefined;
  private readonly adminAuthorization: Buffer | undefined;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly rateLimit: { ratePerSec: number; burst: number } | undefined;
  private readonly limiter: RateLimiter;
  private limiterFailing = false;
  private readonly bodyLimit: number;
  private readonly principals: PrincipalCache;
  private readonly log: GatewayLogger | undefined;
  private readonly handicapNanos: bigint;
  private readonly metrics: GatewayMetrics | undefined;
  /** /metrics answers without credentials (loopback only). */
  private readonly metricsOpen: boolean;
  /** Series of the answers the gateway gives without routing; undefined when metrics are off. */
  private readonly series: Readonly<Record<FixedRoute, RouteSeries>> | undefined;
  private listenSocket: UwsListenSocket | undefined;
  private boundPort = 0;
  private draining = false;
  private closed = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly uws: UwsModule,
    o: GatewayOptions,
  ) {
    this.identity = o.identity;
    this.router = o.router;
    this.labControl = o.labControl;
    this.adminAuthorization =
      o.adminToken === undefined || o.adminToken === '' ? undefined : Buffer.from(`Bearer ${o.adminToken}`);
    this.host = o.host ?? '127.0.0.1';
    this.metricsOpen = isLoopbackHost(this.host);
    this.requestedPort = o.port ?? 3000;
    this.rateLimit = o.rateLimit;
    this.limiter = o.rateLimiter ?? new LocalTokenBuckets();
    this.bodyLimit = o.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
    this.principals = new PrincipalCache(o.identity, o.principalCacheSize);
    this.log = o.log;
    this.handicapNanos = BigInt(Math.max(0, Math.round((o.handicapMicros ?? 0) * 1000)));
    if (o.metrics !== false) {
      const metrics = new GatewayMetrics(o.metrics ?? createRegistry({ process: 'gateway' }));
      metrics.trackInFlight(() => this.inFlight);
      this.metrics = metrics;
      this.series = fixedSeries(metrics);
    }
    this.app = uws.App();
    this.app.any('/*', this.onRequest);
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<number> {
    if (this.closed) return Promise.reject(new GatewayError('GATEWAY_CLOSED', 'the gateway was closed'));
    if (this.listenSocket !== undefined) {
      return Promise.reject(
        new GatewayError('GATEWAY_ALREADY_LISTENING', `already listening on ${this.boundPort}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.app.listen(this.host, this.requestedPort, (listenSocket) => {
        if (listenSocket === false) {
          reject(
            new GatewayError('GATEWAY_LISTEN_FAILED', `cannot listen on ${this.host}:${this.requestedPort}`),
          );
          return;
        }
        this.listenSocket = listenSocket;
        this.boundPort = this.uws.us_socket_local_port(listenSocket);
        resolve(this.boundPort);
      });
    });
  }

  drain(): void {
    this.draining = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    if (this.listenSocket !== undefined) {
      this.uws.us_listen_socket_close(this.listenSocket);
      this.listenSocket = undefined;
    }
    await this.idle(CLOSE_GRACE_MS);
    // Keep-alive connections would otherwise hold the process open.
    this.app.close?.();
  }

  private idle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * The one uWS handler. Everything the request offers is read here, synchronously: the uWS
   * request object is invalid once this returns.
   */
  private readonly onRequest = (res: UwsHttpResponse, req: UwsHttpRequest): void => {
    const x = new Exchange(res, this.metrics === undefined ? 0 : performance.now());
    res.onAborted(() => {
      x.aborted = true;
    });
    try {
      this.accept(x, req);
    } catch (e) {
      this.fail(x, e);
    }
  };

  private accept(x: Exchange, req: UwsHttpRequest): void {
    const rawMethod = req.getMethod();
    const url = req.getUrl();
    const requestId = req.getHeader('x-request-id');
    x.requestId = requestId !== '' && requestId.length <= MAX_REQUEST_ID_LENGTH ? requestId : newRequestId();
    const contentLength = req.getHeader('content-length');
    const declaredLength = contentLength === '' ? 0 : Number(contentLength);
    x.closeAfter = declaredLength > 0 || req.getHeader('transfer-encoding') !== '';

    const series = this.series;
    const method = METHODS.get(rawMethod);
    if (method === undefined) {
      x.series = series?.methodNotAllowed;
      x.omitBody = rawMethod === 'head' || rawMethod === 'HEAD';
      return this.answer(x, METHOD_NOT_ALLOWED);
    }
    x.methodIndex = methodIndex(method);
    if (url === '/healthz') {
      x.series = series?.health;
      return this.answer(x, this.draining ? HEALTH_DRAINING : HEALTHY);
    }
    if (url === METRICS_PATH && this.metrics !== undefined) {
      x.series = series?.metrics;
      return this.serveMetrics(x, this.metrics.registry, req.getHeader('authorization'));
    }
    if (this.draining) {
      x.series = series?.draining;
      return this.answer(x, DRAINING);
    }

    x.method = method;
    x.query = req.getQuery() ?? '';
    x.authorization = req.getHeader('authorization');
    x.host = req.getHeader('host');
    x.contentType = req.getHeader('content-type').toLowerCase();

    if (url === LAB_PREFIX || url.startsWith(LAB_PREFIX + '/')) {
      x.path = url.length === LAB_PREFIX.length ? '/' : url.slice(LAB_PREFIX.length);
      x.series = this.metrics?.route(LAB_PRODUCT, x.path);
      if (this.labControl === undefined) return this.answer(x, errorResponse(notFound(url)));
      if (!this.isAdmin(x.authorization)) {
        this.metrics?.authFailure(LAB_PRODUCT, 'admin_token');
        return this.answer(x, LAB_UNAUTHORIZED);
      }
      x.isLab = true;
    } else {
      const route = resolveProduct(url);
      if (route === null) {
        x.series = series?.unknownProduct;
        return this.answer(x, errorResponse(notFound(url)));
      }
      x.product = route.product;
      x.path = route.path;
      x.series = this.metrics?.route(route.product, route.path);
      x.headers = readForwardedHeaders(req);
    }
    if (declaredLength > this.bodyLimit) return this.answer(x, TOO_LARGE);
    this.readBody(x);
  }

  /** Collects the body up to the limit; uWS reuses chunk memory, so kept chunks are copied. */
  private readBody(x: Exchange): void {
    let chunks: Buffer[] | undefined;
    let size = 0;
    x.res.onData((chunk, isLast) => {
      if (x.answered) return;
      size += chunk.byteLength;
      if (size > this.bodyLimit) {
        x.closeAfter = true;
        this.answer(x, TOO_LARGE);
        return;
      }
      if (!isLast) {
        (chunks ??= []).push(Buffer.from(chunk.slice(0)));
        return;
      }
      x.closeAfter = false;
      let body: string;
      if (chunks === undefined) {
        // Decoded at once, while uWS still owns the memory: no copy needed.
        body = chunk.byteLength === 0 ? '' : Buffer.from(chunk).toString('utf8');
      } else {
        chunks.push(Buffer.from(chunk.slice(0)));
        body = Buffer.concat(chunks).toString('utf8');
      }
      void this.dispatch(x, body);
    });
  }

  private async dispatch(x: Exchange, body: string): Promise<void> {
    if (this.handicapNanos > 0n) burn(this.handicapNanos);
    this.inFlight++;
    try {
      const response = x.isLab ? await this.forwardToLab(x, body) : await this.route(x, body);
      this.answer(x, response);
    } catch (e) {
      this.fail(x, e);
    } finally {
      if (--this.inFlight === 0 && this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  private origin(x: Exchange): string {
    return x.host !== '' ? `http://${x.host}` : `http://${this.host}:${this.boundPort}`;
  }

  private async sharedTake(pending: Promise<TokenTake>): Promise<TokenTake> {
    try {
      const take = await pending;
      this.limiterFailing = false;
      return take;
    } catch (e) {
      if (!this.limiterFailing)
        this.log?.warn({ err: e }, 'rate limiter unavailable; letting requests through');
      this.limiterFailing = true;
      return FAIL_OPEN;
    }
  }

  private forwardToLab(x: Exchange, body: string): Promise<CellResponse> {
    // Only reached when labControl is set (checked in accept).
    const lab = this.labControl as LabControl;
    return lab.handle({
      method: x.method,
      path: x.path,
      query: x.query,
      body,
      contentType: x.contentType,
      origin: this.origin(x),
    });
  }

  private async authenticate(authorization: string): Promise<Principal | null> {
    if (authorization === '') return null;
    return this.principals.cached(authorization) ?? (await this.principals.authenticate(authorization));
  }

  /** Steps 5–8: credentials, rate limit, the account the request acts for, then identity or the cell. */
  private async route(x: Exchange, body: string): Promise<CellResponse> {
    // A cache hit (the steady state) is read synchronously: no async authenticate() frame per request.
    const principal = this.principals.cached(x.authorization) ?? (await this.authenticate(x.authorization));
    if (principal === null) {
      this.metrics?.authFailure(x.product, x.authorization === '' ? 'missing' : 'invalid');
      return UNAUTHORIZED;
    }
    const authAccountSid = principal.account.sid;
    x.tier = tierIndex(principal.account.type);

    if (this.rateLimit !== undefined) {
      const taken = this.limiter.take(authAccountSid, this.rateLimit.ratePerSec, this.rateLimit.burst);
      const take = 'then' in taken ? await this.sharedTake(taken) : taken;
      if (!take.ok) {
        this.metrics?.rateLimited(x.product, x.tier);
        return tooManyRequests(take.retryAfterMs);
      }
    }

    let accountSid = authAccountSid;
    if (x.product === 'api') {
      const named = pathAccountSid(x.path);
      if (named !== undefined && named !== authAccountSid) {
        // Someone else's account answers exactly like a missing one: nothing to probe.
        if (!(await this.identity.mayActFor(authAccountSid, named))) return errorResponse(notFound(x.path));
        accountSid = named;
      }
    }

    const request: CellRequest = {
      method: x.method,
      product: x.product,
      path: x.path,
      query: x.query,
      body,
      contentType: x.contentType,
      accountSid,
      authAccountSid,
      credentialSid: principal.credentialSid,
      origin: this.origin(x),
      requestId: x.requestId,
      headers: x.headers,
    };

    // Accounts/Keys live in the global tier; they also let a parent reactivate a suspended subaccount.
    if (x.product === 'api' && isIdentityPath(x.path)) {
      return (await handleIdentityRequest(this.identity, request)) ?? errorResponse(notFound(x.path));
    }
    if (accountSid !== authAccountSid) {
      const target = await this.identity.getAccount(accountSid);
      if (target === undefined) return errorResponse(notFound(x.path));
      if (target.status !== 'active') return ACCOUNT_NOT_ACTIVE;
    }
    const cell = this.router.cellFor(accountSid);
    if (cell === undefined) return NO_CELL;
    return cell.handle(request);
  }

  /**
   * GET /metrics: open on loopback (where only this machine can ask), else behind the admin token,
   * because series names and counts describe the tenants' traffic.
   */
  private serveMetrics(x: Exchange, registry: Registry, authorization: string): void {
    if (x.methodIndex !== methodIndex('GET')) return this.answer(x, METHOD_NOT_ALLOWED);
    if (!this.metricsOpen && !this.isAdmin(authorization)) {
      this.metrics?.authFailure(GATEWAY_PRODUCT, 'admin_token');
      return this.answer(x, LAB_UNAUTHORIZED);
    }
    void metricsText(registry).then(
      (text) =>
        this.answer(x, { status: 200, headers: { 'Content-Type': text.contentType }, body: text.body }),
      (e: unknown) => this.fail(x, e),
    );
  }

  private isAdmin(authorization: string): boolean {
    const expected = this.adminAuthorization;
    if (expected === undefined) return false;
    const presented = Buffer.from(authorization);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  private fail(x: Exchange, e: unknown): void {
    // Identity's store unreachable while authenticating: retryable, so 503 rather than 500.
    if (isBackendUnavailable(e)) {
      this.log?.warn({ err: e, requestId: x.requestId }, 'backend unavailable');
      this.answer(x, errorResponse(twilioError(20503)));
      return;
    }
    if (!(e instanceof TwilioError)) {
      this.log?.error({ err: e, requestId: x.requestId }, 'gateway request failed');
    }
    this.answer(x, toErrorResponse(e));
  }

  /** The only place that writes: once per exchange, never after an abort, always corked. */
  private answer(x: Exchange, response: CellResponse): void {
    if (x.answered) return;
    x.answered = true;
    // Recorded even when the client has gone: the work was done and the status decided.
    x.series?.record(x.methodIndex, response.status, x.tier, (performance.now() - x.start) / 1000);
    if (x.aborted) return;
    try {
      x.res.cork(() => writeResponse(x.res, response, x.requestId, x.omitBody, x.closeAfter));
    } catch (e) {
      // The socket went away between the abort check and the write; nothing is left to answer.
      this.log?.warn({ err: e, requestId: x.requestId }, 'could not write the response');
    }
  }
}

type FixedRoute = 'health' | 'metrics' | 'draining' | 'unknownProduct' | 'methodNotAllowed';

function fixedSeries(metrics: GatewayMetrics): Readonly<Record<FixedRoute, RouteSeries>> {
  return {
    health: metrics.fixed(GATEWAY_PRODUCT, '/healthz'),
    metrics: metrics.fixed(GATEWAY_PRODUCT, METRICS_PATH),
    draining: metrics.fixed(GATEWAY_PRODUCT, '_draining'),
    unknownProduct: metrics.fixed(GATEWAY_PRODUCT, '_unknown_product'),
    methodNotAllowed: metrics.fixed(GATEWAY_PRODUCT, '_method_not_allowed'),
  };
}

/** Takes one token from an account's bucket; local (sync) or shared (async, e.g. Redis). */
export interface RateLimiter {
  take(accountSid: string, ratePerSec: number, burst: number): TokenTake | Promise<TokenTake>;
}

const FAIL_OPEN: TokenTake = { ok: true, retryAfterMs: 0, remaining: 0 };

/** Busy-waits: a CPU cost (a sleep would cost no CPU and hide behind concurrency). */
function burn(nanos: bigint): void {
  const until = process.hrtime.bigint() + nanos;
  while (process.hrtime.bigint() < until) {
    // spin
  }
}

/** Loads uWebSockets.js and builds the gateway (not yet listening). */
export async function createGateway(o: GatewayOptions): Promise<Gateway> {
  validateOptions(o);
  const uws = await loadUws();
  return new UwsGateway(uws, o);
}
