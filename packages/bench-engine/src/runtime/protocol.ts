/** Messages between the main thread and the load worker threads. */
import type { MetricsWindow, Tags } from '../metrics.js';
import type { Expectation, Settlement } from './flows/types.js';
import type { ScenarioPlan, TargetPlan } from './plan.js';

export interface WorkerScenario {
  scenario: ScenarioPlan;
  /** This worker takes the arrivals with index ≡ share.index (mod share.of). */
  share: { index: number; of: number };
  /** This worker's share of the VUs (arrival-rate: pool bounds; closed: the VU count). */
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface WorkerAssignment {
  workerIndex: number;
  /** Absolute time (clock.ts) of the run's start; every offset counts from it. */
  epochMs: number;
  scenarios: WorkerScenario[];
  target: TargetPlan;
  sinkUrl: string | undefined;
  latenessToleranceMs: number;
  /** Connections per origin in this worker's HTTP pools. */
  connections: number;
}

/** What one worker saw of one scenario, for the rate-attainment check. */
export interface ScenarioStats {
  scenario: string;
  scheduled: number;
  started: number;
  late: number;
  dropped: number;
  interrupted: number;
  /** Arrivals due in the steady part, and those of them started on time. */
  steadyScheduled: number;
  steadyOnTime: number;
  /** Largest number of VUs this worker had allocated. */
  vusAllocated: number;
}

export type ToWorker =
  | { type: 'start'; assignment: WorkerAssignment }
  | { type: 'settled'; settlement: Settlement }
  | { type: 'abort' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'window'; window: MetricsWindow }
  | { type: 'expect'; expectation: Expectation }
  | { type: 'done'; stats: ScenarioStats[]; window: MetricsWindow }
  | { type: 'error'; message: string; code?: string };

export type { Tags };
