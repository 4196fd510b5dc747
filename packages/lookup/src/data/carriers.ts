/**
 * The carrier dataset Lookup answers from. It mirrors the super-network's built-in carrier set
 * (packages/super-network/src/default-carriers.ts): the same names, prefixes and costs, so that
 * least-cost routing picks the same carrier here as there and `carrier_name` names the carrier an
 * SMS to that number would really go through. The network codes (MCC/MNC) are the lab's own.
 * A test compares this table with `defaultCarriers()` so the two cannot drift apart silently.
 */

export interface CarrierRecord {
  readonly name: string;
  /** E.164 prefixes the carrier serves ('+' = every number). */
  readonly prefixes: readonly string[];
  /** Routing cost: ties between equally specific prefixes go to the cheaper carrier. */
  readonly costPerSegment: number;
  /** Mobile network code reported for the carrier's numbers. */
  readonly mnc: string;
  /** Country code used when the number's country has no entry in MOBILE_COUNTRY_CODES. */
  readonly homeMcc: string;
}

const EU_PREFIXES = ['+44', '+33', '+49', '+34', '+31', '+39', '+32', '+353', '+46'];

export const DEFAULT_CARRIERS: readonly CarrierRecord[] = Object.freeze([
  { name: 'us-mobile-east', prefixes: ['+1'], costPerSegment: 0.0079, mnc: '410', homeMcc: '310' },
  { name: 'us-mobile-west', prefixes: ['+1'], costPerSegment: 0.0083, mnc: '480', homeMcc: '311' },
  { name: 'gb-mobile', prefixes: ['+44'], costPerSegment: 0.04, mnc: '15', homeMcc: '234' },
  { name: 'fr-mobile', prefixes: ['+33'], costPerSegment: 0.075, mnc: '01', homeMcc: '208' },
  { name: 'de-mobile', prefixes: ['+49'], costPerSegment: 0.085, mnc: '01', homeMcc: '262' },
  { name: 'es-mobile', prefixes: ['+34'], costPerSegment: 0.07, mnc: '07', homeMcc: '214' },
  { name: 'nl-mobile', prefixes: ['+31'], costPerSegment: 0.09, mnc: '08', homeMcc: '204' },
  { name: 'eu-aggregator', prefixes: EU_PREFIXES, costPerSegment: 0.095, mnc: '90', homeMcc: '901' },
  { name: 'global-sim', prefixes: ['+'], costPerSegment: 0.12, mnc: '99', homeMcc: '901' },
]);

/**
 * ITU mobile country codes by ISO country: a carrier that serves several countries reports the
 * MCC of the number's country. '901' (international networks) is the fallback.
 */
export const MOBILE_COUNTRY_CODES: Readonly<Record<string, string>> = Object.freeze({
  US: '310',
  CA: '302',
  PR: '330',
  GB: '234',
  IE: '272',
  FR: '208',
  DE: '262',
  ES: '214',
  NL: '204',
  IT: '222',
  BE: '206',
  SE: '240',
  AT: '232',
  CH: '228',
  PT: '268',
  PL: '260',
  DK: '238',
  NO: '242',
  FI: '244',
  AU: '505',
  NZ: '530',
  IN: '404',
  JP: '440',
  BR: '724',
  MX: '334',
  SG: '525',
  ZA: '655',
});
