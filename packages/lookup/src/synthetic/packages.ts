/**
 * The data packages a Lookup can ask for, as Twilio's spec shapes them (snake_case keys, every
 * key present). Values are synthetic and deterministic: drawn from the number's seed, shaped
 * by what the lab knows for real (line type, carrier, country). A package that does not apply
 * to a number (SIM swap on a landline, CNAM outside North America) answers its keys as null
 * with a Lookup error code, as Twilio does, rather than failing the request.
 */
import type { LineType } from '../data/line-types.js';
import type { SyntheticIdentity } from './identity.js';
import type { NumberSeed } from './seed.js';

/** What the lab knows about a valid number; the input of every package. */
export interface Subscriber {
  readonly phoneNumber: string;
  readonly country: string;
  readonly lineType: LineType;
  readonly carrierName: string | null;
  readonly mobileCountryCode: string | null;
  readonly mobileNetworkCode: string | null;
  readonly seed: NumberSeed;
  /** Built on first use: most lookups never need it. */
  identity(): SyntheticIdentity;
}

/** Unprovisioned or out of coverage: the package has no data for this kind of number. */
export const OUT_OF_COVERAGE = 60600;
/** The package does not cover the number's country. */
export const UNSUPPORTED_COUNTRY = 60607;
/** The package needs request parameters that were not given. */
export const NOT_ENOUGH_PARAMETERS = 60617;

/** CNAM exists in the North American numbering plan only. */
const CNAM_COUNTRIES = new Set(['US', 'CA', 'PR']);
const SWAPPED_PERIOD = 'PT24H';
/** Fixed reference points keep every answer independent of the clock (stable across days too). */
const DAY_MS = 86_400_000;
const EPOCH_2020 = Date.UTC(2020, 0, 1);

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function category(score: number): 'low' | 'moderate' | 'high' {
  return score < 40 ? 'low' : score < 70 ? 'moderate' : 'high';
}

function clamp(score: number): number {
  return Math.max(0, Math.min(100, Math.round(score)));
}

export interface LineTypeIntelligence {
  mobile_country_code: string | null;
  mobile_network_code: string | null;
  carrier_name: string | null;
  type: LineType;
  error_code: number | null;
}

export function lineTypeIntelligence(s: Subscriber): LineTypeIntelligence {
  return {
    mobile_country_code: s.mobileCountryCode,
    mobile_network_code: s.mobileNetworkCode,
    carrier_name: s.carrierName,
    type: s.lineType,
    error_code: null,
  };
}

export interface CallerName {
  caller_name: string | null;
  caller_type: 'CONSUMER' | 'BUSINESS' | null;
  error_code: number | null;
}

export function callerName(s: Subscriber): CallerName {
  if (!CNAM_COUNTRIES.has(s.country))
    return { caller_name: null, caller_type: null, error_code: OUT_OF_COVERAGE };
  const d = s.seed.stream('caller_name');
  const business =
    s.lineType === 'tollFree' || s.lineType === 'premium' || (s.lineType === 'landline' && d.chance(0.4));
  const who = s.identity();
  return business
    ? { caller_name: who.businessName, caller_type: 'BUSINESS', error_code: null }
    : { caller_name: `${who.firstName} ${who.lastName}`, caller_type: 'CONSUMER', error_code: null };
}

export interface SimSwap {
  last_sim_swap: {
    last_sim_swap_date: string | null;
    swapped_period: string;
    swapped_in_period: boolean;
  } | null;
  carrier_name: string | null;
  mobile_country_code: string | null;
  mobile_network_code: string | null;
  error_code: number | null;
}

export function simSwap(s: Subscriber): SimSwap {
  if (s.lineType !== 'mobile') {
    return {
      last_sim_swap: null,
      carrier_name: null,
      mobile_country_code: null,
      mobile_network_code: null,
      error_code: OUT_OF_COVERAGE,
    };
  }
  const d = s.seed.stream('sim_swap');
  // A recent swap is reported without its date (carriers withhold it); older swaps carry one.
  const swapped = d.chance(0.05);
  const hasHistory = d.chance(0.7);
  const date =
    swapped || !hasHistory ? null : isoSeconds(EPOCH_2020 + d.int(5 * 365) * DAY_MS + d.int(DAY_MS));
  return {
    last_sim_swap: { last_sim_swap_date: date, swapped_period: SWAPPED_PERIOD, swapped_in_period: swapped },
    carrier_name: s.carrierName,
    mobile_country_code: s.mobileCountryCode,
    mobile_network_code: s.mobileNetworkCode,
    error_code: null,
  };
}

export interface CallForwarding {
  call_forwarding_enabled: boolean | null;
  error_code: number | null;
}

export function callForwarding(s: Subscriber): CallForwarding {
  if (s.lineType !== 'mobile') return { call_forwarding_enabled: null, error_code: OUT_OF_COVERAGE };
  return { call_forwarding_enabled: s.seed.stream('call_forwarding').chance(0.1), error_code: null };
}

export interface LineStatus {
  status: 'active' | 'inactive' | 'unreachable' | null;
  error_code: number | null;
}

export function lineStatus(s: Subscriber): LineStatus {
  if (s.lineType !== 'mobile') return { status: null, error_code: OUT_OF_COVERAGE };
  const roll = s.seed.stream('line_status').next();
  return { status: roll < 0.9 ? 'active' : roll < 0.97 ? 'inactive' : 'unreachable', error_code: null };
}

export interface ReassignedNumber {
  last_verified_date: string | null;
  is_number_reassigned: 'yes' | 'no' | 'no_data_available' | null;
  /** A string in the spec, unlike the other packages' integer codes. */
  error_code: string | null;
}

/** `lastVerifiedDate` is the validated LastVerifiedDate parameter (YYYYMMDD) or undefined. */
export function reassignedNumber(s: Subscriber, lastVerifiedDate: string | undefined): ReassignedNumber {
  if (s.country !== 'US') {
    return { last_verified_date: null, is_number_reassigned: null, error_code: String(UNSUPPORTED_COUNTRY) };
  }
  if (lastVerifiedDate === undefined) {
    return {
      last_verified_date: null,
      is_number_reassigned: null,
      error_code: String(NOT_ENOUGH_PARAMETERS),
    };
  }
  const shown = `${lastVerifiedDate.slice(0, 4)}-${lastVerifiedDate.slice(4, 6)}-${lastVerifiedDate.slice(6, 8)}`;
  const d = s.seed.stream('reassigned_number');
  if (d.chance(0.08))
    return { last_verified_date: shown, is_number_reassigned: 'no_data_available', error_code: null };
  // Some numbers changed hands once, on a fixed date; the answer is whether that is after the
  // date the caller last knew the subscriber.
  const reassignedOn = d.chance(0.15) ? EPOCH_2020 - 365 * DAY_MS + d.int(6 * 365) * DAY_MS : undefined;
  const verifiedOn = Date.UTC(
    Number(lastVerifiedDate.slice(0, 4)),
    Number(lastVerifiedDate.slice(4, 6)) - 1,
    Number(lastVerifiedDate.slice(6, 8)),
  );
  const reassigned = reassignedOn !== undefined && reassignedOn > verifiedOn;
  return { last_verified_date: shown, is_number_reassigned: reassigned ? 'yes' : 'no', error_code: null };
}

const CARRIER_RISK: Readonly<Record<string, number>> = { 'global-sim': 45, 'eu-aggregator': 20 };
const LINE_RISK: Partial<Record<LineType, number>> = {
  premium: 50,
  nonFixedVoip: 20,
  personal: 15,
  unknown: 25,
};

function carrierRiskScore(s: Subscriber, jitter: number): number {
  return clamp(5 + (s.carrierName === null ? 40 : (CARRIER_RISK[s.carrierName] ?? 0)) + jitter);
}

export interface SmsPumpingRisk {
  carrier_risk_category: 'low' | 'moderate' | 'high';
  number_blocked: boolean;
  number_blocked_date: string | null;
  number_blocked_last_3_months: boolean | null;
  sms_pumping_risk_score: number;
  error_code: number | null;
}

export function smsPumpingRisk(s: Subscriber): SmsPumpingRisk {
  const d = s.seed.stream('sms_pumping_risk');
  const carrierScore = carrierRiskScore(s, d.int(20));
  const score = clamp(d.int(40) + (LINE_RISK[s.lineType] ?? 0) + carrierScore / 2);
  const blocked = score >= 90;
  return {
    carrier_risk_category: category(carrierScore),
    number_blocked: blocked,
    number_blocked_date: blocked ? isoSeconds(EPOCH_2020 + d.int(4 * 365) * DAY_MS) : null,
    number_blocked_last_3_months: blocked ? false : null,
    sms_pumping_risk_score: score,
    error_code: null,
  };
}

export interface PhoneNumberQualityScore {
  carrier_risk_score: number;
  carrier_risk_category: 'low' | 'moderate' | 'high';
  disposable_phone_risk_score: number;
  disposable_phone_risk_category: 'low' | 'moderate' | 'high';
  quality_score: number;
  quality_category: 'low' | 'moderate' | 'high';
  velocity_risk_score: number;
  velocity_risk_category: 'low' | 'moderate' | 'high';
  error_code: number | null;
}

export function phoneNumberQualityScore(s: Subscriber): PhoneNumberQualityScore {
  const d = s.seed.stream('phone_number_quality_score');
  const carrier = carrierRiskScore(s, d.int(20));
  const disposable = clamp(
    d.int(30) + (s.lineType === 'nonFixedVoip' ? 50 : 0) + (LINE_RISK[s.lineType] ?? 0) / 2,
  );
  const velocity = clamp(d.int(100) < 85 ? d.int(30) : 40 + d.int(60));
  const quality = clamp((carrier + disposable + velocity) / 3);
  return {
    carrier_risk_score: carrier,
    carrier_risk_category: category(carrier),
    disposable_phone_risk_score: disposable,
    disposable_phone_risk_category: category(disposable),
    quality_score: quality,
    quality_category: category(quality),
    velocity_risk_score: velocity,
    velocity_risk_category: category(velocity),
    error_code: null,
  };
}

export interface PreFill {
  first_name: string | null;
  last_name: string | null;
  address_line: string | null;
  country_code: string | null;
  state: string | null;
  postal_code: string | null;
  error_code: number | null;
}

export function preFill(s: Subscriber): PreFill {
  if (s.lineType !== 'mobile') {
    return {
      first_name: null,
      last_name: null,
      address_line: null,
      country_code: null,
      state: null,
      postal_code: null,
      error_code: OUT_OF_COVERAGE,
    };
  }
  const who = s.identity();
  return {
    first_name: who.firstName,
    last_name: who.lastName,
    address_line: who.addressLine,
    country_code: who.country,
    state: who.state,
    postal_code: who.postalCode,
    error_code: null,
  };
}
