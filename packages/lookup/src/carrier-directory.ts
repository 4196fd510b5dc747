/**
 * Which carrier serves a number, decided exactly as the super-network's least-cost router
 * decides its first choice: the longest configured prefix that matches the number selects the
 * candidate set; within it the carrier with the most specific own prefix wins, then the
 * cheapest, then the first configured. Everything is precomputed per distinct prefix, so a
 * lookup is one Map probe per prefix length.
 */
import { DEFAULT_CARRIERS, MOBILE_COUNTRY_CODES } from './data/carriers.js';
import type { CarrierRecord } from './data/carriers.js';

/** A carrier as configured for the super-network (CarrierConfig fits). */
export interface CarrierSource {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly costPerSegment: number;
}

export interface ServingCarrier {
  readonly name: string;
  readonly mobileNetworkCode: string;
  readonly homeMcc: string;
}

const INTERNATIONAL_MCC = '901';

export class CarrierDirectory {
  private readonly primaryByPrefix = new Map<string, ServingCarrier>();
  private readonly maxPrefixLength: number;

  constructor(carriers: readonly CarrierRecord[]) {
    const prefixes = new Set<string>();
    for (const c of carriers) for (const p of c.prefixes) prefixes.add(p);
    let maxLength = 0;
    for (const prefix of prefixes) {
      maxLength = Math.max(maxLength, prefix.length);
      let best: { carrier: CarrierRecord; match: number } | undefined;
      for (const carrier of carriers) {
        let match = -1;
        for (const p of carrier.prefixes) if (prefix.startsWith(p) && p.length > match) match = p.length;
        if (match < 0) continue;
        // Strict comparisons keep the first configured carrier on a full tie.
        if (
          best === undefined ||
          match > best.match ||
          (match === best.match && carrier.costPerSegment < best.carrier.costPerSegment)
        ) {
          best = { carrier, match };
        }
      }
      if (best !== undefined) {
        this.primaryByPrefix.set(prefix, {
          name: best.carrier.name,
          mobileNetworkCode: best.carrier.mnc,
          homeMcc: best.carrier.homeMcc,
        });
      }
    }
    this.maxPrefixLength = maxLength;
  }

  /** The shipped dataset, or the given super-network carriers with lab network codes added. */
  static from(sources?: readonly CarrierSource[]): CarrierDirectory {
    if (sources === undefined) return new CarrierDirectory(DEFAULT_CARRIERS);
    return new CarrierDirectory(sources.map(withNetworkCodes));
  }

  /** The carrier an SMS to `e164` is routed to first, or undefined when no carrier serves it. */
  carrierFor(e164: string): ServingCarrier | undefined {
    for (let length = Math.min(this.maxPrefixLength, e164.length); length > 0; length--) {
      const found = this.primaryByPrefix.get(e164.slice(0, length));
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** MCC reported for a number: its country's, else the carrier's home network's. */
export function mobileCountryCode(country: string | undefined, carrier: ServingCarrier): string {
  return (country === undefined ? undefined : MOBILE_COUNTRY_CODES[country]) ?? carrier.homeMcc;
}

const KNOWN_CARRIERS = new Map(DEFAULT_CARRIERS.map((c) => [c.name, c]));

/** Known names keep their codes; others get a stable two-digit MNC from their name. */
function withNetworkCodes(source: CarrierSource): CarrierRecord {
  const known = KNOWN_CARRIERS.get(source.name);
  let h = 0;
  for (let i = 0; i < source.name.length; i++) h = (h * 31 + source.name.charCodeAt(i)) >>> 0;
  return {
    name: source.name,
    prefixes: [...source.prefixes],
    costPerSegment: source.costPerSegment,
    mnc: known?.mnc ?? String(10 + (h % 89)),
    homeMcc: known?.homeMcc ?? INTERNATIONAL_MCC,
  };
}
