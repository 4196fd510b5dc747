/**
 * Parsing and validation of the number in the path, with libphonenumber-js's full ("max")
 * metadata: it is what tells a valid range from a merely possible length, and what gives the
 * number type Lookup's line types start from.
 */
import {
  isSupportedCountry,
  parsePhoneNumberWithError,
  ParseError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

export type ValidationError =
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'INVALID_BUT_POSSIBLE'
  | 'INVALID_COUNTRY_CODE'
  | 'INVALID_LENGTH'
  | 'NOT_A_NUMBER';

export interface ParsedNumber {
  /** E.164 when the input parses as a number, else the input as given. */
  phoneNumber: string;
  valid: boolean;
  /** Empty when valid. */
  validationErrors: readonly ValidationError[];
  /** Null unless valid (Lookup v2 answers null for invalid numbers). */
  callingCountryCode: string | null;
  country: string | null;
  nationalFormat: string | null;
  /** libphonenumber's type of a valid number (MOBILE, FIXED_LINE_OR_MOBILE, …), else undefined. */
  numberType: string | undefined;
}

/** Lookup's documented default: a national number without CountryCode is North American. */
const DEFAULT_COUNTRY: CountryCode = 'US';

/** libphonenumber's parse and length errors, in Lookup's vocabulary. */
const ERROR_BY_REASON: ReadonlyMap<string, ValidationError> = new Map<string, ValidationError>([
  ['NOT_A_NUMBER', 'NOT_A_NUMBER'],
  ['INVALID_COUNTRY', 'INVALID_COUNTRY_CODE'],
  ['TOO_SHORT', 'TOO_SHORT'],
  ['TOO_LONG', 'TOO_LONG'],
  ['INVALID_LENGTH', 'INVALID_LENGTH'],
]);

function invalid(phoneNumber: string, error: ValidationError): ParsedNumber {
  return {
    phoneNumber,
    valid: false,
    validationErrors: [error],
    callingCountryCode: null,
    country: null,
    nationalFormat: null,
    numberType: undefined,
  };
}

/**
 * `input` is the decoded path segment; `countryCode` the CountryCode query parameter, used only
 * for national-format input.
 */
export function parseNumber(input: string, countryCode: string | undefined): ParsedNumber {
  let defaultCountry = DEFAULT_COUNTRY;
  if (countryCode !== undefined && countryCode !== '' && !input.startsWith('+')) {
    const upper = countryCode.toUpperCase();
    if (!isSupportedCountry(upper)) return invalid(input, 'INVALID_COUNTRY_CODE');
    defaultCountry = upper;
  }
  let parsed;
  try {
    // extract: false: the whole input must be the number ("call 415…" is not a phone number).
    parsed = parsePhoneNumberWithError(input, { defaultCountry, extract: false });
  } catch (error) {
    const reason = error instanceof ParseError ? error.message : 'NOT_A_NUMBER';
    return invalid(input, ERROR_BY_REASON.get(reason) ?? 'NOT_A_NUMBER');
  }
  const e164 = parsed.number;
  if (!parsed.isValid()) {
    const lengthProblem = validatePhoneNumberLength(e164);
    const error = lengthProblem === undefined ? 'INVALID_BUT_POSSIBLE' : ERROR_BY_REASON.get(lengthProblem);
    return invalid(e164, error ?? 'INVALID_BUT_POSSIBLE');
  }
  return {
    phoneNumber: e164,
    valid: true,
    validationErrors: [],
    callingCountryCode: parsed.countryCallingCode,
    country: parsed.country ?? null,
    nationalFormat: parsed.formatNational(),
    numberType: parsed.getType(),
  };
}
