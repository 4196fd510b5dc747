/**
 * The built-in carrier set: two US carriers for +1, a national carrier per large EU market
 * with a pricier pan-EU aggregator behind them, and a global catch-all ('+') that costs the
 * most, so least-cost routing and failover have something to choose between out of the box.
 */
import type { CarrierConfig } from './carrier-config.js';

export type CarrierProfile = 'lab' | 'realistic';

interface CarrierSeed {
  name: string;
  region: string;
  prefixes: string[];
  costPerSegment: number;
  /** Messages per second this carrier accepts in the realistic profile. */
  realisticTps: number;
}

const EU_PREFIXES = ['+44', '+33', '+49', '+34', '+31', '+39', '+32', '+353', '+46'];

const CARRIERS: readonly CarrierSeed[] = [
  { name: 'us-mobile-east', region: 'us1', prefixes: ['+1'], costPerSegment: 0.0079, realisticTps: 200 },
  { name: 'us-mobile-west', region: 'us1', prefixes: ['+1'], costPerSegment: 0.0083, realisticTps: 200 },
  { name: 'gb-mobile', region: 'ie1', prefixes: ['+44'], costPerSegment: 0.04, realisticTps: 100 },
  { name: 'fr-mobile', region: 'ie1', prefixes: ['+33'], costPerSegment: 0.075, realisticTps: 100 },
  { name: 'de-mobile', region: 'de1', prefixes: ['+49'], costPerSegment: 0.085, realisticTps: 100 },
  { name: 'es-mobile', region: 'ie1', prefixes: ['+34'], costPerSegment: 0.07, realisticTps: 100 },
  { name: 'nl-mobile', region: 'de1', prefixes: ['+31'], costPerSegment: 0.09, realisticTps: 100 },
  { name: 'eu-aggregator', region: 'ie1', prefixes: EU_PREFIXES, costPerSegment: 0.095, realisticTps: 150 },
  { name: 'global-sim', region: 'us1', prefixes: ['+'], costPerSegment: 0.12, realisticTps: 50 },
];

export function defaultCarriers(profile: CarrierProfile): CarrierConfig[] {
  return CARRIERS.map((seed, index): CarrierConfig => {
    const base = {
      name: seed.name,
      region: seed.region,
      prefixes: [...seed.prefixes],
      costPerSegment: seed.costPerSegment,
      port: 0,
      systemId: 'twilio-lab',
      password: `pw${index}${seed.name.slice(0, 3)}`.slice(0, 8),
      seed: index + 1,
    };
    if (profile === 'lab') {
      return {
        ...base,
        submitLatencyMs: { median: 1, p99: 3 },
        receiptLatencyMs: { median: 5, p99: 15 },
        outcomes: { delivered: 1, undelivered: 0, failed: 0 },
      };
    }
    return {
      ...base,
      submitLatencyMs: { median: 25, p99: 120 },
      receiptLatencyMs: { median: 60, p99: 400 },
      outcomes: {
        delivered: 0.98,
        undelivered: 0.015,
        failed: 0.005,
        undeliveredErr: '027',
        failedErr: '069',
      },
      maxTps: seed.realisticTps,
      window: 20,
    };
  });
}
