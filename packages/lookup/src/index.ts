/**
 * @twilio-lab/lookup: Lookups v2 (GET /v2/PhoneNumbers/{PhoneNumber}) as a cell product
 * module: validation and formatting with libphonenumber-js, line type and carrier from a
 * dataset that mirrors the super-network's carriers, deterministic synthetic data packages.
 */
export { lookupModule, DEFAULT_RATE_LIMIT, DEFAULT_CACHE_TTL_MS } from './module.js';
export type { LookupOptions } from './module.js';
export { LookupEngine, RESOURCE_PATH } from './engine.js';
export type { LookupQuery } from './engine.js';
export { CarrierDirectory } from './carrier-directory.js';
export type { CarrierSource, ServingCarrier } from './carrier-directory.js';
export { DEFAULT_CARRIERS } from './data/carriers.js';
export type { CarrierRecord } from './data/carriers.js';
export type { LineType } from './data/line-types.js';
export { PACKAGE_FIELDS, parseFields } from './fields.js';
export type { LookupField, PackageField } from './fields.js';
export { parseNumber } from './number-parse.js';
export type { ParsedNumber, ValidationError } from './number-parse.js';
