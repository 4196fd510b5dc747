// @twilio-lab/chaos: fault timelines through Toxiproxy, process signals and netem, with steady-state checks.
export { parseExperiment, loadExperimentFile } from './parse.js';
export { runExperiment } from './experiment.js';
export type { RunExperimentOptions, ExperimentReport, ProbeSummary, Outcome } from './experiment.js';
export { formatExperimentReport } from './report.js';
export { startFaults, prepareFaults, describeFault } from './timeline.js';
export type { FaultContext, FaultTimeline } from './timeline.js';
export { compileFaults, timelineEndMs } from './faults.js';
export { Journal } from './journal.js';
export { ToxiproxyClient, DEFAULT_CONTROL_TIMEOUT_MS } from './toxiproxy.js';
export type { ProxyJson, ToxicJson } from './toxiproxy.js';
export { globMatcher, resolveTarget } from './targets.js';
export { checkNetemCapability, requireNetem, NetemNamespace, netemArgs, systemNetem } from './netem.js';
export type { NetemSystem, NetemCapability, CommandResult } from './netem.js';
export { runProbe, withinTolerance } from './probes.js';
export { ChaosError, CHAOS_INVALID_EXIT_CODE, formatIssue } from './errors.js';
export type { ChaosErrorCode, ChaosIssue } from './errors.js';
export { parseDuration } from './duration.js';
export * from './types.js';
