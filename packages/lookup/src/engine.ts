/**
 * One lookup, from the number as given to the response's JSON text. Pure and deterministic:
 * the same query gives the same text in every process, which is what lets the module cache
 * the text (in Redis too) and share it across accounts.
 */
import { CarrierDirectory, mobileCountryCode } from './carrier-directory.js';
import type { CarrierSource } from './carrier-directory.js';
import { bitOf, PACKAGE_FIELDS } from './fields.js';
import type { PackageField } from './fields.js';
import { lineTypeOf } from './line-type.js';
import { parseNumber } from './number-parse.js';
import type { ParsedNumber } from './number-parse.js';
import { syntheticIdentity } from './synthetic/identity.js';
import type { SyntheticIdentity } from './synthetic/identity.js';
import { identityMatch } from './synthetic/identity-match.js';
import type { IdentityClaims } from './synthetic/identity-match.js';
import {
  callerName,
  callForwarding,
  lineStatus,
  lineTypeIntelligence,
  phoneNumberQualityScore,
  preFill,
  reassignedNumber,
  simSwap,
  smsPumpingRisk,
} from './synthetic/packages.js';
import type { Subscriber } from './synthetic/packages.js';
import { NumberSeed } from './synthetic/seed.js';

export interface LookupQuery {
  /** The number as given in the path (decoded). */
  phoneNumber: string;
  /** CountryCode, for national-format numbers. */
  countryCode?: string;
  /** Bit mask of requested packages (see fields.ts). */
  fields: number;
  /** identity_match parameters. */
  claims?: IdentityClaims;
  /** reassigned_number's LastVerifiedDate, already checked to be YYYYMMDD. */
  lastVerifiedDate?: string;
}

/** Product prefix + resource path: the `url` a response carries, below the caller's origin. */
export const RESOURCE_PATH = '/lookups/v2/PhoneNumbers/';

type PackageBuilder = (s: Subscriber, q: LookupQuery) => unknown;

const BUILDERS: Readonly<Record<PackageField, PackageBuilder>> = {
  caller_name: (s) => callerName(s),
  sim_swap: (s) => simSwap(s),
  call_forwarding: (s) => callForwarding(s),
  line_status: (s) => lineStatus(s),
  line_type_intelligence: (s) => lineTypeIntelligence(s),
  identity_match: (s, q) => identityMatch(s.identity(), q.claims ?? {}),
  reassigned_number: (s, q) => reassignedNumber(s, q.lastVerifiedDate),
  sms_pumping_risk: (s) => smsPumpingRisk(s),
  phone_number_quality_score: (s) => phoneNumberQualityScore(s),
  pre_fill: (s) => preFill(s),
};

/** [field, bit, builder] in response order, resolved once. */
const PACKAGES = PACKAGE_FIELDS.map((field) => [field, bitOf(field), BUILDERS[field]] as const);

const PLUS = /%2B/g;

/** The path segment of the url: E.164 stays as is, other input is percent-encoded (but '+' kept). */
export function urlSegment(phoneNumber: string): string {
  return encodeURIComponent(phoneNumber).replace(PLUS, '+');
}

export class LookupEngine {
  private readonly carriers: CarrierDirectory;

  /** `carriers`: the super-network's carrier set when it is not the built-in one. */
  constructor(carriers?: readonly CarrierSource[]) {
    this.carriers = CarrierDirectory.from(carriers);
  }

  /** What the lab knows about a valid number: its line type and the carrier that serves it. */
  subscriber(parsed: ParsedNumber): Subscriber {
    const e164 = parsed.phoneNumber;
    const country = parsed.country ?? '';
    const carrier = this.carriers.carrierFor(e164);
    const seed = new NumberSeed(e164);
    let identity: SyntheticIdentity | undefined;
    return {
      phoneNumber: e164,
      country,
      lineType: lineTypeOf(e164, parsed.numberType),
      carrierName: carrier?.name ?? null,
      mobileCountryCode:
        carrier === undefined ? null : mobileCountryCode(parsed.country ?? undefined, carrier),
      mobileNetworkCode: carrier?.mobileNetworkCode ?? null,
      seed,
      identity: () => (identity ??= syntheticIdentity(seed, country)),
    };
  }

  /**
   * The response as JSON text whose `url` is relative (RESOURCE_PATH + number): the caller
   * puts its origin in front (withOrigin), so one cached text serves every origin.
   */
  lookupText(query: LookupQuery): string {
    const parsed = parseNumber(query.phoneNumber, query.countryCode);
    const body: Record<string, unknown> = {
      calling_country_code: parsed.callingCountryCode,
      country_code: parsed.country,
      phone_number: parsed.phoneNumber,
      national_format: parsed.nationalFormat,
      valid: parsed.valid,
      validation_errors: parsed.validationErrors,
    };
    const subscriber = parsed.valid && query.fields !== 0 ? this.subscriber(parsed) : undefined;
    for (const [field, bit, build] of PACKAGES) {
      body[field] = subscriber !== undefined && (query.fields & bit) !== 0 ? build(subscriber, query) : null;
    }
    body.url = RESOURCE_PATH + urlSegment(parsed.phoneNumber);
    return JSON.stringify(body);
  }
}

const URL_KEY = '"url":"';

/** Puts the caller's origin in front of the relative `url` of a lookupText result. */
export function withOrigin(text: string, origin: string): string {
  const at = text.lastIndexOf(URL_KEY);
  if (at === -1) return text;
  const cut = at + URL_KEY.length;
  return text.slice(0, cut) + JSON.stringify(origin).slice(1, -1) + text.slice(cut);
}
