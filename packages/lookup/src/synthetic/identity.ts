/** The synthetic subscriber behind a number: who Caller Name, Identity Match and Pre-fill describe. */
import {
  BUSINESS_KINDS,
  BUSINESS_WORDS,
  FALLBACK_LOCALITIES,
  FIRST_NAMES,
  LAST_NAMES,
  LOCALITIES,
  STREET_NAMES,
} from '../data/people.js';
import type { Draws, NumberSeed } from './seed.js';

export interface SyntheticIdentity {
  readonly firstName: string;
  readonly lastName: string;
  readonly addressLine: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  /** ISO country of the number. */
  readonly country: string;
  readonly nationalId: string;
  /** YYYYMMDD, as the DateOfBirth parameter is written. */
  readonly dateOfBirth: string;
  /** The name a business line is listed under (CNAM), when the line belongs to a business. */
  readonly businessName: string;
}

function digits(draw: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(draw());
  return out;
}

/** '#' → a digit, '@' → an upper-case letter, anything else as is. */
function fill(pattern: string, d: Draws): string {
  let out = '';
  for (const ch of pattern)
    out += ch === '#' ? String(d.int(10)) : ch === '@' ? String.fromCharCode(65 + d.int(26)) : ch;
  return out;
}

export function syntheticIdentity(seed: NumberSeed, country: string): SyntheticIdentity {
  const d = seed.stream('identity');
  const locality = d.pick(LOCALITIES[country] ?? FALLBACK_LOCALITIES);
  const digit = (): number => d.int(10);
  const year = d.between(1950, 2004);
  const month = d.between(1, 12);
  const day = d.between(1, 28);
  const firstName = d.pick(FIRST_NAMES);
  const lastName = d.pick(LAST_NAMES);
  const street = d.pick(STREET_NAMES);
  const houseNumber = d.between(1, 999);
  const nationalId =
    country === 'US'
      ? digits(digit, 9)
      : String.fromCharCode(65 + d.int(26), 65 + d.int(26)) + digits(digit, 7);
  return {
    firstName,
    lastName,
    addressLine: `${houseNumber} ${street}`,
    city: locality.city,
    state: locality.state,
    postalCode: fill(locality.postal, d),
    country,
    nationalId,
    dateOfBirth: `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`,
    businessName: `${d.pick(BUSINESS_WORDS)} ${d.pick(BUSINESS_KINDS)}`,
  };
}
