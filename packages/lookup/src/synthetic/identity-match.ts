/**
 * Identity Match: the caller's claims about the subscriber (FirstName, LastName, …) compared
 * with the synthetic subscriber of the number. Each field gets a match level; the summary score
 * is the weighted share of what matched among the fields the caller gave.
 */
import type { SyntheticIdentity } from './identity.js';
import { NOT_ENOUGH_PARAMETERS } from './packages.js';

export type MatchLevel =
  'exact_match' | 'high_partial_match' | 'partial_match' | 'no_match' | 'no_data_available';

/** The identity_match query parameters (absent = undefined). */
export interface IdentityClaims {
  firstName?: string;
  lastName?: string;
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  addressCountryCode?: string;
  nationalId?: string;
  dateOfBirth?: string;
}

/** Query parameter name → claim key, in the order the cache key lists them. */
export const IDENTITY_PARAMETERS: readonly (readonly [string, keyof IdentityClaims])[] = [
  ['FirstName', 'firstName'],
  ['LastName', 'lastName'],
  ['AddressLine1', 'addressLine1'],
  ['AddressLine2', 'addressLine2'],
  ['City', 'city'],
  ['State', 'state'],
  ['PostalCode', 'postalCode'],
  ['AddressCountryCode', 'addressCountryCode'],
  ['NationalId', 'nationalId'],
  ['DateOfBirth', 'dateOfBirth'],
];

export interface IdentityMatch {
  first_name_match: MatchLevel | null;
  last_name_match: MatchLevel | null;
  address_lines_match: MatchLevel | null;
  city_match: MatchLevel | null;
  state_match: MatchLevel | null;
  postal_code_match: MatchLevel | null;
  address_country_match: MatchLevel | null;
  national_id_match: MatchLevel | null;
  date_of_birth_match: MatchLevel | null;
  summary_score: number | null;
  error_code: number | null;
  error_message: string | null;
}

const LEVEL_VALUE: Readonly<Record<MatchLevel, number>> = {
  exact_match: 1,
  high_partial_match: 0.8,
  partial_match: 0.5,
  no_match: 0,
  no_data_available: 0,
};

/** How much each field counts towards the summary score. */
const WEIGHTS = {
  first_name_match: 15,
  last_name_match: 20,
  address_lines_match: 20,
  city_match: 5,
  state_match: 5,
  postal_code_match: 10,
  address_country_match: 5,
  national_id_match: 10,
  date_of_birth_match: 10,
} as const;

const NOT_ALPHANUMERIC = /[^\p{L}\p{N}]+/gu;

function normalize(value: string): string {
  return value.toLowerCase().replace(NOT_ALPHANUMERIC, '');
}

/** Edit distance, two rows (the strings are short: names and address lines). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function compareText(given: string | undefined, actual: string): MatchLevel {
  if (given === undefined || given.trim() === '') return 'no_data_available';
  const g = normalize(given);
  const a = normalize(actual);
  if (g === a) return 'exact_match';
  if (g === '') return 'no_match';
  const similarity = 1 - distance(g, a) / Math.max(g.length, a.length);
  if (similarity >= 0.8) return 'high_partial_match';
  if (similarity >= 0.5 || a.includes(g) || g.includes(a)) return 'partial_match';
  return 'no_match';
}

function compareExact(given: string | undefined, actual: string): MatchLevel {
  if (given === undefined || given.trim() === '') return 'no_data_available';
  return normalize(given) === normalize(actual) ? 'exact_match' : 'no_match';
}

function comparePostalCode(given: string | undefined, actual: string): MatchLevel {
  const level = compareExact(given, actual);
  if (level !== 'no_match' || given === undefined) return level;
  return normalize(given).slice(0, 3) === normalize(actual).slice(0, 3) ? 'high_partial_match' : 'no_match';
}

function compareDateOfBirth(given: string | undefined, actual: string): MatchLevel {
  const level = compareExact(given, actual);
  if (level !== 'no_match' || given === undefined) return level;
  return normalize(given).slice(0, 4) === actual.slice(0, 4) ? 'partial_match' : 'no_match';
}

export function hasClaims(claims: IdentityClaims): boolean {
  for (const [, key] of IDENTITY_PARAMETERS) if ((claims[key] ?? '').trim() !== '') return true;
  return false;
}

export function identityMatch(who: SyntheticIdentity, claims: IdentityClaims): IdentityMatch {
  if (!hasClaims(claims)) {
    return {
      first_name_match: null,
      last_name_match: null,
      address_lines_match: null,
      city_match: null,
      state_match: null,
      postal_code_match: null,
      address_country_match: null,
      national_id_match: null,
      date_of_birth_match: null,
      summary_score: null,
      error_code: NOT_ENOUGH_PARAMETERS,
      error_message:
        'identity_match needs at least one of FirstName, LastName, AddressLine1, City, State, PostalCode, AddressCountryCode, NationalId, DateOfBirth',
    };
  }
  const addressLines = [claims.addressLine1, claims.addressLine2].filter((l) => l !== undefined && l !== '');
  const levels = {
    first_name_match: compareText(claims.firstName, who.firstName),
    last_name_match: compareText(claims.lastName, who.lastName),
    address_lines_match: compareText(
      addressLines.length === 0 ? undefined : addressLines.join(' '),
      who.addressLine,
    ),
    city_match: compareText(claims.city, who.city),
    state_match: compareText(claims.state, who.state),
    postal_code_match: comparePostalCode(claims.postalCode, who.postalCode),
    address_country_match: compareExact(claims.addressCountryCode, who.country),
    national_id_match: compareExact(claims.nationalId, who.nationalId),
    date_of_birth_match: compareDateOfBirth(claims.dateOfBirth, who.dateOfBirth),
  };
  let weight = 0;
  let matched = 0;
  for (const key of Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]) {
    if (levels[key] === 'no_data_available') continue;
    weight += WEIGHTS[key];
    matched += WEIGHTS[key] * LEVEL_VALUE[levels[key]];
  }
  return {
    ...levels,
    summary_score: Math.round((matched / weight) * 100),
    error_code: null,
    error_message: null,
  };
}
