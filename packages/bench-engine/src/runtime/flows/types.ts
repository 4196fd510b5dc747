import type { Tags } from '../../metrics.js';
import type { HttpClients } from '../http-clients.js';
import type { TargetPlan } from '../plan.js';
import type { MetricsRecorder } from '../recorder.js';

export interface FlowContext {
  /** Absolute time (see clock.ts) at which the iteration was meant to start. */
  intendedMs: number;
  /** Aborted when the scenario's graceful stop runs out or the run is aborted. */
  signal: AbortSignal;
}

export interface Flow {
  run(ctx: FlowContext): Promise<void>;
}

/** What the webhook sink (main thread) answers about an accepted message. */
export interface Settlement {
  sid: string;
  /** The awaited status, a terminal failure status, or 'timeout'. */
  status: string;
  ok: boolean;
}

export interface Expectation {
  sid: string;
  /** Absolute time of the 201. */
  acceptedAtMs: number;
  /** The status the flow waits for; undefined: reconcile only ('delivered' is measured). */
  awaitStatus: string | undefined;
  tags: Tags;
  timeoutMs: number;
}

/** Hands accepted messages to the sink; resolves when the awaited status (or a failure) arrives. */
export interface CallbackBroker {
  expect(expectation: Expectation): Promise<Settlement>;
}

export interface FlowEnv {
  recorder: MetricsRecorder;
  /** Scenario tags plus `scenario` and `flow`. */
  tags: Tags;
  target: TargetPlan;
  http: HttpClients;
  /** The sink's StatusCallback URL (flows that need callbacks only). */
  sinkUrl: string | undefined;
  callbacks: CallbackBroker | undefined;
}

export interface FlowDefinition {
  /** Throws BenchRuntimeError('FLOW_INVALID') with the offending path. */
  validate(params: Record<string, unknown>, path: string): void;
  create(params: Record<string, unknown>, env: FlowEnv): Flow;
  /** Whether the flow needs the webhook sink. */
  needsSink: boolean;
}
