/**
 * The runtime's input: an already-normalised run plan (durations in milliseconds). The
 * scenario-file parser produces its own types; the caller maps them onto this one, so the
 * runtime never depends on the file format.
 */
import { availableParallelism } from 'node:os';

export interface ConstantArrivalRate {
  type: 'constant-arrival-rate';
  /** Iterations started per `timeUnitMs`. */
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface RampingStage {
  durationMs: number;
  /** Rate (iterations per `timeUnitMs`) reached at the end of the stage. */
  target: number;
}

export interface RampingArrivalRate {
  type: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: RampingStage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface ConstantVus {
  type: 'constant-vus';
  vus: number;
  durationMs: number;
}

export interface PerVuIterations {
  type: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}

export interface MaxThroughput {
  type: 'max-throughput';
  connections: number;
  durationMs: number;
  pipelining?: number;
}

export type ArrivalRateExecutor = ConstantArrivalRate | RampingArrivalRate;
export type ClosedExecutor = ConstantVus | PerVuIterations;
export type ExecutorPlan = ArrivalRateExecutor | ClosedExecutor | MaxThroughput;

export interface FlowPlan {
  /** 'http' | 'sms.send' (built); 'verify.start' | 'verify.check' | 'video.join' | 'voice.call' (not yet). */
  flow: string;
  /** Relative share of iterations (picked by smooth weighted round robin, so shares are exact). */
  weight: number;
  with: Record<string, unknown>;
}

export interface ScenarioPlan {
  name: string;
  tags: Record<string, string>;
  /** Offset of the scenario's start from the run's start. */
  startTimeMs: number;
  executor: ExecutorPlan;
  flows: FlowPlan[];
  /** How long in-flight iterations may finish after the scenario ends before they are interrupted. */
  gracefulStopMs: number;
}

/** One account the load may send as (plain data: it crosses into the load threads). */
export interface AccountPlan {
  accountSid: string;
  authToken: string;
  /**
   * A number has one owner, so an account other than the main one sends from its own numbers:
   * the scenario's `from` → this account's number standing in for it. Absent: used as given.
   */
  senders?: Record<string, string>;
}

export interface TargetPlan {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  adminToken?: string;
  /**
   * Every account sms.send spreads its iterations over, round robin, the main one (the
   * accountSid/authToken above) first. Absent or one entry: the main account only.
   */
  accounts?: AccountPlan[];
}

/** The accounts sms.send sends as: `target.accounts`, or the main account alone. */
export function accountsOf(target: TargetPlan): AccountPlan[] {
  const listed = target.accounts;
  if (listed !== undefined && listed.length > 0) return listed;
  return [{ accountSid: target.accountSid, authToken: target.authToken }];
}

export interface SinkPlan {
  /** Interface the sink listens on. Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Base URL the system under test calls back (when it cannot reach host:port directly). */
  publicUrl?: string;
  /** How long reconciliation waits for terminal statuses after the load ends. Default 30 s. */
  drainTimeoutMs?: number;
}

export interface RunPlan {
  scenarios: ScenarioPlan[];
  target: TargetPlan;
  /** Worker threads. Default: cores - 1, at least 1. */
  workers?: number;
  /** An arrival started later than this after its intended time counts as late. Default 50 ms. */
  latenessToleranceMs?: number;
  /** Webhook sink settings (used when a flow needs callbacks). */
  sink?: SinkPlan;
}

/**
 * Late means the generator itself fell behind, and a run whose generator falls behind fails
 * rate attainment. 50 ms, not less: a load thread sharing a saturated 2-core machine with the
 * lab starts arrivals 10-30 ms late now and then without being unable to offer the rate. Late
 * or not, every arrival's latency is measured from its intended time, so lateness never hides.
 */
export const DEFAULT_LATENESS_TOLERANCE_MS = 50;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

export function isArrivalRate(executor: ExecutorPlan): executor is ArrivalRateExecutor {
  return executor.type === 'constant-arrival-rate' || executor.type === 'ramping-arrival-rate';
}

export function isClosed(executor: ExecutorPlan): executor is ClosedExecutor {
  return executor.type === 'constant-vus' || executor.type === 'per-vu-iterations';
}

/** How long the executor schedules new iterations (before graceful stop). */
export function executorDurationMs(executor: ExecutorPlan): number {
  switch (executor.type) {
    case 'constant-arrival-rate':
    case 'constant-vus':
    case 'max-throughput':
      return executor.durationMs;
    case 'ramping-arrival-rate':
      return executor.stages.reduce((sum, s) => sum + s.durationMs, 0);
    case 'per-vu-iterations':
      return executor.maxDurationMs;
  }
}
