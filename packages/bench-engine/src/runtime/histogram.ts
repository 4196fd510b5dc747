/**
 * HDR histograms of microsecond values, set up the same way everywhere so that histograms
 * recorded in different threads decode and merge exactly (see metrics.ts).
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

const LOWEST_US = 1;
/** One hour. */
const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    // The JS implementation: WebAssembly would need an async init in every worker thread.
    useWebAssembly: false,
  });
}

/** Clamps into the trackable range: a sub-microsecond duration is recorded as 1 µs. */
export function clampMicros(us: number): number {
  if (!(us >= LOWEST_US)) return LOWEST_US;
  return us > HIGHEST_US ? HIGHEST_US : Math.round(us);
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 'packed', false);
}

/** Decodes every encoding and adds them into one histogram (the caller destroys it). */
export function mergeEncoded(encodings: readonly string[]): Histogram {
  const merged = newHistogram();
  for (const encoded of encodings) {
    const part = decodeHistogram(encoded);
    merged.add(part);
    part.destroy();
  }
  return merged;
}
