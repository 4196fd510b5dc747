/** @twilio-lab/cell — the cell runtime: router, module host, webhook dispatcher, logger. */
export type {
  CellConfig,
  CellContext,
  DeadLetter,
  Logger,
  ProductModule,
  RouteContext,
  RouteDef,
  RouteHandler,
  WebhookDispatcher,
  WebhookRequest,
  WebhookResponse,
} from './types.js';
export { compileRoutes, RouteDefinitionError } from './router.js';
export type { RouteMatch, RouteTable } from './router.js';
export { createCell } from './cell.js';
export type { Cell, CellOptions } from './cell.js';
export { createWebhookDispatcher } from './webhook-dispatcher.js';
export type { OutboxWebhookDispatcher, WebhookDispatcherOptions } from './webhook-dispatcher.js';
export { WEBHOOK_MIGRATIONS } from './webhook-schema.js';
export { createLogger } from './logger.js';
export type { LoggerOptions, LogLevelSetting } from './logger.js';
export { createCellContext } from './context.js';
export type { CellContextParts } from './context.js';
export { keysetPage } from './keyset.js';
export type { KeyedRow, KeysetPage, KeysetQuery, Paging } from './keyset.js';
