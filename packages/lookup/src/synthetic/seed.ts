/**
 * Deterministic randomness per phone number: the same number yields the same synthetic data in
 * every call and every process (no Math.random, no clock). One SHA-256 of the number, then an
 * independent small PRNG per data package, salted with the package name, so adding a draw to
 * one package never changes what another package answers.
 */
import { createHash } from 'node:crypto';

export class NumberSeed {
  private readonly base: number;

  constructor(e164: string) {
    this.base = createHash('sha256').update(e164).digest().readUInt32BE(0);
  }

  /** A stream of draws for one purpose (`salt` names it: 'sim_swap', 'identity', …). */
  stream(salt: string): Draws {
    let h = this.base ^ 0x9e3779b9;
    for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193);
    return new Draws(h >>> 0);
  }
}

/** mulberry32: tiny, fast, well distributed for this purpose. */
export class Draws {
  private state: number;

  constructor(seed: number) {
    this.state = seed;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}
