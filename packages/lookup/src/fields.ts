/**
 * The `Fields` parameter: which data packages a lookup asks for. Parsed into a bit mask so that
 * "a,b" and "b,a" (or repeated `Fields` keys) share one cache entry.
 */
import { twilioError } from '@twilio-lab/core';

/** Data packages in the order their keys appear in the response. */
export const PACKAGE_FIELDS = [
  'caller_name',
  'sim_swap',
  'call_forwarding',
  'line_status',
  'line_type_intelligence',
  'identity_match',
  'reassigned_number',
  'sms_pumping_risk',
  'phone_number_quality_score',
  'pre_fill',
] as const;

export type PackageField = (typeof PACKAGE_FIELDS)[number];

/** Every accepted Fields value: `validation` asks for the basic answer, which is always given. */
export type LookupField = PackageField | 'validation';

const BIT_BY_FIELD: ReadonlyMap<string, number> = new Map<string, number>([
  ['validation', 0],
  ...PACKAGE_FIELDS.map((field, i): [string, number] => [field, 1 << i]),
]);

export function bitOf(field: PackageField): number {
  return BIT_BY_FIELD.get(field) ?? 0;
}

export const IDENTITY_MATCH_BIT = bitOf('identity_match');
export const REASSIGNED_NUMBER_BIT = bitOf('reassigned_number');

/** The mask of the Fields values (each may hold a comma-separated list); 400 20001 on an unknown name. */
export function parseFields(values: readonly string[]): number {
  let mask = 0;
  for (const value of values) {
    for (const raw of value.split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      const bit = BIT_BY_FIELD.get(name);
      if (bit === undefined) {
        throw twilioError(
          20001,
          `Invalid parameter: Fields. '${name}' is not a Lookup field; use validation or one of ${PACKAGE_FIELDS.join(', ')}`,
        );
      }
      mask |= bit;
    }
  }
  return mask;
}
