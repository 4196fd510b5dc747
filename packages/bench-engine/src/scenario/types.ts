import type { Threshold } from '../budgets/evaluate.js';
import type { FlowName } from './schema.js';

/** A scenario file after validation: defaults filled in, every duration in milliseconds. */
export interface Scenario {
  name: string;
  description?: string;
  /** Where it was read from (file path or the name given to parseScenario). */
  source: string;
  lab: LabTarget;
  setup: SetupSpec;
  /** In file order. */
  scenarios: ScenarioSpec[];
  /** One entry per expression (a selector with three expressions gives three). */
  thresholds: Threshold[];
  faults: FaultSpec[];
  /** When the last scenario's planned load ends (startTime + duration; maxDuration for per-vu-iterations). */
  plannedDurationMs: number;
}

export interface LabTarget {
  mode: 'embedded' | 'url';
  /** Only with mode 'url'. */
  url?: string;
  profile?: 'lab' | 'realistic';
}

export interface SetupSpec {
  accounts: number;
  numbersPerAccount: number;
  messagingServices: number;
  verifyServices: number;
  rooms: number;
}

export interface ScenarioSpec {
  name: string;
  executor: ExecutorSpec;
  startTimeMs: number;
  gracefulStopMs: number;
  /** The file's tags plus `scenario: <name>` (k6 adds that one itself, so the file may not). */
  tags: Record<string, string>;
  /** At least one; weights default to 1. */
  flows: FlowSpec[];
}

/** Same shapes as the runtime's RunPlan executors. */
export type ExecutorSpec =
  | {
      type: 'constant-arrival-rate';
      rate: number;
      timeUnitMs: number;
      durationMs: number;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      type: 'ramping-arrival-rate';
      startRate: number;
      timeUnitMs: number;
      stages: { durationMs: number; target: number }[];
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | { type: 'constant-vus'; vus: number; durationMs: number }
  | { type: 'per-vu-iterations'; vus: number; iterations: number; maxDurationMs: number }
  | { type: 'max-throughput'; connections: number; durationMs: number; pipelining: number };

export interface FlowSpec {
  flow: FlowName;
  weight: number;
  /**
   * The flow's parameters as written, except that duration strings the flow defines are
   * converted: sms.send `timeout: '30s'` becomes `timeoutMs: 30000` (default 30000); http
   * `method` defaults to 'GET'. The keys match what the runtime's flows accept.
   */
  with: Record<string, unknown>;
}

export interface FaultSpec {
  atMs: number;
  forMs?: number;
  action: string;
  target: string;
  /** Every other key of the fault entry, as written (for the chaos engine). */
  params: Record<string, unknown>;
}
