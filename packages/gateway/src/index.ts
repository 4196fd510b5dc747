export { createGateway } from './gateway.js';
export type { RateLimiter } from './gateway.js';
export type {
  CellRouter,
  Gateway,
  GatewayLogger,
  GatewayOptions,
  LabControl,
  LabControlRequest,
} from './gateway.js';
export { GatewayError } from './errors.js';
export type { GatewayErrorCode } from './errors.js';
export { loadUws } from './uws.js';
export type { UwsModule } from './uws.js';
export { resolveProduct } from './products.js';
export type { ProductRoute } from './products.js';
