/**
 * The cell: hosts product modules behind one `handle(request) → response`. It owns the
 * lifecycle (migrations, module workers, graceful stop) and turns routing failures and
 * handler exceptions into Twilio-shaped errors.
 */
import {
  FormParams,
  TwilioError,
  errorResponse,
  notFound,
  toErrorResponse,
  twilioError,
} from '@twilio-lab/core';
import type { CellHandler, CellRequest, CellResponse } from '@twilio-lab/core';
import { isBackendUnavailable } from '@twilio-lab/backends';
import { compileRoutes } from './router.js';
import type { RouteTable } from './router.js';
import type { CellContext, ProductModule, RouteDef } from './types.js';

export interface CellOptions {
  context: CellContext;
  modules: readonly ProductModule[];
}

export interface Cell extends CellHandler {
  /** Applies migrations (outbox first, then each module's), resumes webhooks, starts modules. Idempotent. */
  start(): Promise<void>;
  /**
   * Refuses new requests (503), waits for in-flight ones, stops modules in reverse order,
   * then drains webhooks; `timeoutMs` bounds each wait. Idempotent.
   */
  stop(timeoutMs?: number): Promise<void>;
  readonly routes: RouteTable;
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

function parseForm(req: CellRequest): FormParams {
  return req.body.length > 0 && req.contentType.startsWith(FORM_CONTENT_TYPE)
    ? FormParams.parse(req.body)
    : FormParams.parse('');
}

export function createCell(options: CellOptions): Cell {
  const ctx = options.context;
  const modules = [...options.modules];
  const routeDefs: RouteDef[] = [];
  for (const module of modules) routeDefs.push(...module.routes(ctx));
  const routes = compileRoutes(routeDefs);

  let starting: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  function requestDone(): void {
    inFlight--;
    if (inFlight === 0 && idleWaiters.length > 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async function dispatch(req: CellRequest): Promise<CellResponse> {
    const match = routes.match(req.product, req.method, req.path);
    if (match === null) return errorResponse(notFound(req.path));
    if ('methodNotAllowed' in match) {
      return errorResponse(
        twilioError(20004, undefined, { headers: { Allow: match.methodNotAllowed.join(', ') } }),
      );
    }
    try {
      const query = req.query.length > 0 ? FormParams.parse(req.query) : FormParams.parse('');
      return await match.route.handler({ req, params: match.params, form: parseForm(req), query });
    } catch (e) {
      // An unreachable engine is the platform's problem, not the request's: 503 + 20503 tells
      // the client to retry, and nothing was accepted that the store could not keep.
      if (isBackendUnavailable(e)) {
        ctx.log.warn({ err: e, requestId: req.requestId }, 'backend unavailable');
        return errorResponse(twilioError(20503));
      }
      if (!(e instanceof TwilioError)) {
        ctx.log.error(
          { err: e, requestId: req.requestId, method: req.method, product: req.product, path: req.path },
          'route handler failed',
        );
      }
      return toErrorResponse(e);
    }
  }

  async function start(): Promise<void> {
    const webhooks = ctx.webhooks;
    if (webhooks.migrations !== undefined && webhooks.migrations.length > 0) {
      await ctx.store.migrate(webhooks.migrations);
    }
    for (const module of modules) {
      if (module.migrations.length > 0) await ctx.store.migrate(module.migrations);
    }
    await webhooks.start?.();
    for (const module of modules) await module.start?.(ctx);
    ctx.log.info(
      { cellId: ctx.config.cellId, modules: modules.map((m) => m.name), routes: routeDefs.length },
      'cell started',
    );
  }

  function waitIdle(timeoutMs: number): Promise<void> {
    if (inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ctx.log.warn(
          { cellId: ctx.config.cellId, inFlight },
          'cell stop: requests still in flight after timeout',
        );
        resolve();
      }, timeoutMs);
      idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async function stop(timeoutMs: number): Promise<void> {
    await waitIdle(timeoutMs);
    for (let i = modules.length - 1; i >= 0; i--) {
      const module = modules[i] as ProductModule;
      try {
        await module.stop?.();
      } catch (e) {
        // One module failing to stop must not keep the others (and the outbox) running.
        ctx.log.error({ err: e, module: module.name }, 'module stop failed');
      }
    }
    await ctx.webhooks.drain(timeoutMs);
    await ctx.webhooks.stop?.();
    ctx.log.info({ cellId: ctx.config.cellId }, 'cell stopped');
  }

  return {
    cellId: ctx.config.cellId,
    routes,
    async handle(req) {
      if (stopping !== null) return errorResponse(twilioError(20503));
      inFlight++;
      try {
        return await dispatch(req);
      } finally {
        requestDone();
      }
    },
    start() {
      starting ??= start();
      return starting;
    },
    stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      stopping ??= stop(timeoutMs);
      return stopping;
    },
  };
}
