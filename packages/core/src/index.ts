export type { ProductId, HttpMethod, CellRequest, CellResponse, CellHandler } from './wire.js';
export { SID_PREFIX, newSid, isSid, newRequestId } from './sid.js';
export type { SidPrefix } from './sid.js';
export {
  TwilioError,
  twilioError,
  ERROR_CATALOGUE,
  errorBody,
  errorResponse,
  toErrorResponse,
  notFound,
} from './errors.js';
export type { CatalogueEntry, TwilioErrorOptions } from './errors.js';
export { jsonResponse } from './json.js';
export { FormParams, decodePathSegment, encodeForm } from './form.js';
export { rfc2822, iso8601, parseDateFilter } from './dates.js';
export {
  encodePageToken,
  decodePageToken,
  readPaging,
  list2010,
  listV1,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from './pagination.js';
export type {
  PageCursor,
  PageDirection,
  PageToken,
  Paging,
  ListPageInput,
  List2010Input,
  ListV1Input,
} from './pagination.js';
export { signWebhook, validateWebhookSignature, bodySha256 } from './signature.js';
export type { WebhookParams } from './signature.js';
export { isE164, countryOf, TEST_NUMBERS } from './phone.js';
export { smsSegments } from './sms.js';
export type { SmsEncoding, SmsSegments } from './sms.js';
export { parseXml, textOf } from './xml.js';
export type { XmlElement } from './xml.js';
export { Type, validate, ConfigError } from './config.js';
export type { Static, TSchema, ConfigIssue, ValidationResult } from './config.js';
export { checkShape, closest, formatPath, pointerToSegments } from './schema-issues.js';
export type { PathSegment, RawIssue } from './schema-issues.js';
export { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';
