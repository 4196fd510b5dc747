/** The chaos engine's model: fault timelines, probes, experiments and what a run reports. */

/** Same shape as @twilio-lab/bench-engine's FaultSpec: a scenario's `faults` entries pass through as is. */
export interface FaultSpec {
  atMs: number;
  forMs?: number;
  action: string;
  target: string;
  /** Every other key of the fault entry, as written. */
  params: Record<string, unknown>;
}

export type Stream = 'upstream' | 'downstream';

export const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'slicer',
  'limit_data',
] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

export const LINK_ACTIONS = [...TOXIC_TYPES, 'down', 'up'] as const;
export const PROCESS_ACTIONS = ['kill', 'pause', 'restart'] as const;
export const UDP_ACTIONS = ['netem'] as const;
export const FAULT_ACTIONS = [...LINK_ACTIONS, ...PROCESS_ACTIONS, ...UDP_ACTIONS] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];
export type ProcessAction = (typeof PROCESS_ACTIONS)[number];

export interface NetemParams {
  /** One-way delay added to every packet leaving the namespace, ms. */
  delayMs?: number;
  jitterMs?: number;
  /** Percent of packets dropped. */
  lossPercent?: number;
  /** Percent of packets sent out of order (needs a delay). */
  reorderPercent?: number;
  duplicatePercent?: number;
  corruptPercent?: number;
}

/** A FaultSpec after validation: what the timeline executes. */
export type Fault =
  | (FaultTiming & {
      kind: 'toxic';
      toxic: ToxicType;
      streams: Stream[];
      toxicity: number;
      attributes: Record<string, number>;
    })
  | (FaultTiming & { kind: 'link-down' })
  | (FaultTiming & { kind: 'link-up' })
  | (FaultTiming & { kind: 'process'; action: ProcessAction })
  | (FaultTiming & { kind: 'netem'; netem: NetemParams });

export interface FaultTiming {
  /** Position in the list it came from (journal entries name it). */
  index: number;
  atMs: number;
  /** Reverted after this long; absent: stays until the rollback. */
  forMs?: number;
  /** Name or glob ('us1.cell-*.postgres', 'us1->eu1'). */
  target: string;
  /** The action as written (for reports). */
  action: FaultAction;
}

/** Processes chaos may signal; topologies implement it, tests use child processes. */
export interface ProcessRegistry {
  list(): { name: string; pid: number }[] | Promise<{ name: string; pid: number }[]>;
  /** Starts the named process again (after a kill). */
  restart(name: string): Promise<void>;
}

// ---- probes and experiments ----------------------------------------------------------------

export type Phase = 'before' | 'during' | 'after';
export const PHASES: readonly Phase[] = ['before', 'during', 'after'];

/** A measured value must satisfy every bound given. */
export interface Tolerance {
  min?: number;
  max?: number;
  equals?: number | boolean | string;
}

export type Measure =
  | { kind: 'status' }
  | { kind: 'latency'; stat: 'p50' | 'p95' | 'p99' | 'max' | 'mean' }
  | { kind: 'error_rate' }
  | { kind: 'json'; path: string[] };

export interface HttpProbeSource {
  type: 'http';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  form?: Record<string, string>;
  auth?: { username: string; password: string };
  /** Statuses that count as success; empty: any status below 400. */
  expectStatus: number[];
  timeoutMs: number;
  /** Requests per check (latency and error rate are computed over them). */
  repeat: number;
  concurrency: number;
  measure: Measure;
}

export interface PrometheusProbeSource {
  type: 'prometheus';
  query: string;
  timeoutMs: number;
}

export interface CustomProbeSource {
  type: 'custom';
  /** Key in runExperiment's `probes` option. */
  name: string;
}

export type ProbeSource = HttpProbeSource | PrometheusProbeSource | CustomProbeSource;

export interface ProbeSpec {
  name: string;
  source: ProbeSource;
  /** When it runs, each phase with its tolerance (null: the probe's own pass/fail only). */
  phases: Partial<Record<Phase, Tolerance | null>>;
  /** A failure during the faults aborts the experiment (faults reverted at once). */
  abortOnFail: boolean;
  /** Before/after: keep retrying (every hypothesis interval) until it holds or this long passed. */
  untilMs?: number;
}

export interface Hypothesis {
  title: string;
  /** Period of the checks while faults are active. */
  intervalMs: number;
  probes: ProbeSpec[];
}

export interface Experiment {
  name: string;
  description?: string;
  source: string;
  hypothesis: Hypothesis;
  faults: Fault[];
  /** Defaults for ${NAME} in probes (the environment and runExperiment's vars override them). */
  vars: Record<string, string>;
  /** How long the method lasts, from its start; default: when the last fault is reverted. */
  durationMs?: number;
}

/** What a custom probe callback returns: a value (judged by the tolerance) and/or a verdict. */
export type ProbeValue =
  number | boolean | string | { value?: number | boolean | string; ok?: boolean; detail?: string };
export type ProbeCallback = (phase: Phase, signal: AbortSignal) => Promise<ProbeValue> | ProbeValue;

export type ProbeStatus = 'ok' | 'failed' | 'inconclusive' | 'skipped';

export interface ProbeResult {
  probe: string;
  phase: Phase;
  /** ms since the run started. */
  atMs: number;
  status: ProbeStatus;
  value?: number | boolean | string;
  /** The tolerance as text ('max 150', 'min 200, max 1000'), when there is one. */
  tolerance?: string;
  detail?: string;
}

// ---- journal and rollback ------------------------------------------------------------------

export type JournalEvent =
  'run-start' | 'inject' | 'revert' | 'error' | 'probe' | 'abort' | 'rollback' | 'run-end';

export interface JournalEntry {
  /** ISO time. */
  time: string;
  /** ms since the run started. */
  tMs: number;
  event: JournalEvent;
  fault?: number;
  action?: string;
  target?: string;
  /** The concrete links / processes / namespaces a target resolved to. */
  resolved?: string[];
  detail?: string;
  probe?: ProbeResult;
}

export interface UndoOutcome {
  what: string;
  ok: boolean;
  error?: string;
}

export interface RollbackReport {
  /** Every revert the rollback performed (faults still active when it ran). */
  undone: UndoOutcome[];
  ok: boolean;
  /** Toxiproxy POST /reset was used because targeted undo failed. */
  usedResetFallback: boolean;
}
