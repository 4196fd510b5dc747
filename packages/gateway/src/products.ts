import type { ProductId } from '@twilio-lab/core';

export interface ProductRoute {
  product: ProductId;
  /** Path below the product prefix, starting with '/'. */
  path: string;
}

/**
 * First path segment → product. The value says whether the segment is the product prefix
 * (stripped) or already part of the product's own path (the 2010 API answers unprefixed).
 */
const PRODUCT_BY_SEGMENT: ReadonlyMap<string, { product: ProductId; keepSegment: boolean }> = new Map([
  ['api', { product: 'api', keepSegment: false }],
  ['2010-04-01', { product: 'api', keepSegment: true }],
  ['messaging', { product: 'messaging', keepSegment: false }],
  ['verify', { product: 'verify', keepSegment: false }],
  ['lookups', { product: 'lookups', keepSegment: false }],
  ['video', { product: 'video', keepSegment: false }],
  ['taskrouter', { product: 'taskrouter', keepSegment: false }],
  ['conversations', { product: 'conversations', keepSegment: false }],
  ['sendgrid', { product: 'sendgrid', keepSegment: false }],
  ['segment', { product: 'segment', keepSegment: false }],
]);

/**
 * The product and product-relative path of a raw (still percent-encoded) URL path, or null
 * for an unknown product. Routing is by prefix because the same path exists in several
 * products (`/v1/Services`).
 */
export function resolveProduct(url: string): ProductRoute | null {
  const slash = url.indexOf('/', 1);
  const segment = slash === -1 ? url.slice(1) : url.slice(1, slash);
  const entry = PRODUCT_BY_SEGMENT.get(segment);
  if (entry === undefined) return null;
  if (entry.keepSegment) return { product: entry.product, path: url };
  return { product: entry.product, path: slash === -1 ? '/' : url.slice(slash) };
}
