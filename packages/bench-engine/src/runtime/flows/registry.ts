/**
 * The flows a scenario can name. Flows of products the lab does not have yet are known by
 * name so that a plan naming one fails up front with a clear reason, not mid-run.
 */
import { BenchRuntimeError } from '../errors.js';
import type { FlowPlan } from '../plan.js';
import { httpFlow } from './http.js';
import { smsSendFlow } from './sms-send.js';
import { verifyCheckFlow, verifyStartFlow } from './verify.js';
import type { Flow, FlowDefinition } from './types.js';

/** Does nothing: what the generator-ceiling calibration drives. Internal, but harmless to name. */
const noopFlow: FlowDefinition = {
  needsSink: false,
  validate() {},
  create(): Flow {
    return { run: () => Promise.resolve() };
  },
};

const BUILT: Readonly<Record<string, FlowDefinition>> = {
  http: httpFlow,
  'sms.send': smsSendFlow,
  'verify.start': verifyStartFlow,
  'verify.check': verifyCheckFlow,
  noop: noopFlow,
};

const AWAITING_PRODUCT: Readonly<Record<string, string>> = {
  'video.join': 'Video',
  'voice.call': 'Voice',
};

export function flowDefinition(name: string, path = 'flow'): FlowDefinition {
  const built = BUILT[name];
  if (built !== undefined) return built;
  const product = AWAITING_PRODUCT[name];
  if (product !== undefined)
    throw new BenchRuntimeError(
      'FLOW_UNAVAILABLE',
      `flow ${name} needs the ${product} product, which this lab does not have yet`,
      path,
    );
  throw new BenchRuntimeError(
    'FLOW_UNKNOWN',
    `unknown flow ${name} (known: ${[...Object.keys(BUILT), ...Object.keys(AWAITING_PRODUCT)].join(', ')})`,
    path,
  );
}

/**
 * Picks flows by smooth weighted round robin (as nginx balances upstreams): over any run of
 * sum(weights) picks each flow comes up exactly `weight` times, evenly spread, with no
 * randomness to skew a short run.
 */
export class WeightedPicker<T> {
  private readonly current: number[];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    private readonly weights: readonly number[],
  ) {
    this.current = weights.map(() => 0);
    this.total = weights.reduce((a, b) => a + b, 0);
  }

  pick(): T {
    let best = 0;
    for (let i = 0; i < this.items.length; i++) {
      this.current[i]! += this.weights[i]!;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.items[best]!;
  }
}

export function flowNeedsSink(flows: readonly FlowPlan[]): boolean {
  return flows.some((f) => BUILT[f.flow]?.needsSink === true);
}
