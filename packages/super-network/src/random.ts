/**
 * Seeded randomness for the simulators: the same seed gives the same latencies and outcomes,
 * so a benchmark or a failing test can be replayed.
 */

/** mulberry32: tiny, fast, and good enough for simulation draws in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** z-score of the 99th percentile of the standard normal distribution. */
const Z_P99 = 2.3263478740408408;

/**
 * Latencies drawn from a log-normal distribution fitted to a median and a p99: real network
 * latencies are skewed with a long tail, which a normal or uniform draw would hide.
 * ln(X) ~ N(mu, sigma) with mu = ln(median) and sigma = (ln(p99) - ln(median)) / z99.
 */
export class LogNormalSampler {
  private readonly mu: number;
  private readonly sigma: number;
  private spare: number | null = null;

  constructor(
    readonly median: number,
    readonly p99: number,
    private readonly random: () => number,
  ) {
    this.mu = median > 0 ? Math.log(median) : -Infinity;
    this.sigma = median > 0 && p99 > median ? (Math.log(p99) - Math.log(median)) / Z_P99 : 0;
  }

  next(): number {
    if (this.median <= 0) return 0;
    if (this.sigma === 0) return this.median;
    return Math.exp(this.mu + this.sigma * this.standardNormal());
  }

  /** Box-Muller; each pair of uniforms yields two normals, the second is kept for the next draw. */
  private standardNormal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    let u = this.random();
    while (u <= Number.MIN_VALUE) u = this.random();
    const v = this.random();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}
