/** A valid number's Lookup line type, from the shipped line-type data. */
import { LINE_TYPE_BY_NUMBER_TYPE, SUBSCRIBER_RANGES, TEST_NUMBER_LINE_TYPES } from './data/line-types.js';
import type { LineType } from './data/line-types.js';

/** `numberType` is libphonenumber's type of the (valid) E.164 number `e164`. */
export function lineTypeOf(e164: string, numberType: string | undefined): LineType {
  const magic = TEST_NUMBER_LINE_TYPES.get(e164);
  if (magic !== undefined) return magic;
  if (numberType === undefined) return 'unknown';
  const mapped = LINE_TYPE_BY_NUMBER_TYPE.get(numberType);
  if (mapped !== undefined) return mapped;
  if (numberType !== 'FIXED_LINE_OR_MOBILE') return 'unknown';
  const lastFour = Number(e164.slice(-4));
  for (const range of SUBSCRIBER_RANGES) if (lastFour < range.below) return range.type;
  return 'unknown';
}
