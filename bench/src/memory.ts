/** Resident memory of a process (Linux /proc) and the growth rate over a soak. */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes, or null where /proc is not available. */
export function readRssBytes(pid: number): number | null {
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

export function parseVmRss(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match === null ? null : Number(match[1]) * 1024;
}

export interface Sample {
  /** Milliseconds since the soak started. */
  atMs: number;
  bytes: number;
}

/**
 * Least-squares slope in MB per minute over the second half of the samples: the first half
 * holds warm-up (JIT, caches, pools filling) that is not a leak.
 */
export function rssSlopeMbPerMin(samples: readonly Sample[]): number | null {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return null;
  const xs = half.map((s) => s.atMs / 60_000);
  const ys = half.map((s) => s.bytes / (1024 * 1024));
  const n = half.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    num += dx * ((ys[i] ?? 0) - meanY);
    den += dx * dx;
  }
  return den === 0 ? null : num / den;
}

/** Samples a process's RSS on an interval and keeps the peak (and every sample, for soaks). */
export class RssSampler {
  peak = 0;
  readonly samples: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #start = 0;

  constructor(readonly pid: number) {}

  sample(): number | null {
    const bytes = readRssBytes(this.pid);
    if (bytes !== null) {
      this.peak = Math.max(this.peak, bytes);
      this.samples.push({ atMs: Date.now() - this.#start, bytes });
    }
    return bytes;
  }

  start(intervalMs: number): void {
    this.stop();
    this.samples.length = 0;
    this.#start = Date.now();
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
