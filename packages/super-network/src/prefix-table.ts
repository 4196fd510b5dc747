/**
 * Least-cost candidate lists, precomputed per distinct prefix. A number's candidates are every
 * carrier with a prefix that matches it, ordered by how specific that match is (longest prefix
 * first), then by cost per segment, then by configuration order. A lookup is one Map probe per
 * prefix length, from the longest configured prefix down.
 */
export interface RoutableCarrier {
  readonly prefixes: readonly string[];
  readonly costPerSegment: number;
}

export class PrefixTable<T> {
  private readonly byPrefix = new Map<string, readonly T[]>();
  private readonly maxLength: number;

  constructor(items: readonly T[], carrierOf: (item: T) => RoutableCarrier) {
    const prefixes = new Set<string>();
    for (const item of items) for (const p of carrierOf(item).prefixes) prefixes.add(p);
    let maxLength = 0;
    for (const prefix of prefixes) {
      maxLength = Math.max(maxLength, prefix.length);
      const ranked: { item: T; match: number; cost: number; order: number }[] = [];
      items.forEach((item, order) => {
        const carrier = carrierOf(item);
        let match = -1;
        for (const p of carrier.prefixes) if (prefix.startsWith(p) && p.length > match) match = p.length;
        if (match >= 0) ranked.push({ item, match, cost: carrier.costPerSegment, order });
      });
      ranked.sort((a, b) => b.match - a.match || a.cost - b.cost || a.order - b.order);
      this.byPrefix.set(
        prefix,
        ranked.map((r) => r.item),
      );
    }
    this.maxLength = maxLength;
  }

  /** Carriers that can reach `number`, best first; empty when none serves it. */
  candidates(number: string): readonly T[] {
    for (let length = Math.min(this.maxLength, number.length); length > 0; length--) {
      const found = this.byPrefix.get(number.slice(0, length));
      if (found) return found;
    }
    return NONE;
  }
}

const NONE: readonly never[] = [];
