/**
 * @twilio-lab/bench-engine: the engine behind `twilio-lab bench`. Scenario files in (k6
 * vocabulary), open-model load from worker threads, HDR histograms, budgets, reports, and the
 * statistics of `bench compare`.
 */
export type {
  CounterSeries,
  MetricsWindow,
  MetricType,
  RateSeries,
  RunMetrics,
  Series,
  Tags,
  TrendSeries,
} from './metrics.js';
export { METRICS } from './metrics.js';

// Scenario files
export { loadScenarioFile, parseScenario } from './scenario/parse.js';
export { ScenarioError, SCENARIO_INVALID_EXIT_CODE, formatIssue } from './scenario/errors.js';
export type { ScenarioIssue } from './scenario/errors.js';
export type {
  Scenario,
  LabTarget,
  SetupSpec,
  ScenarioSpec,
  ExecutorSpec,
  FlowSpec,
  FaultSpec,
} from './scenario/types.js';
export { scenarioJsonSchema, scenarioJsonSchemaText, EXECUTORS, FLOWS } from './scenario/schema.js';
export { parseDuration, formatDuration } from './scenario/duration.js';

// Budgets
export { evaluateThresholds, evaluateIncremental } from './budgets/evaluate.js';
export type { Threshold, ThresholdResult, IncrementalEvaluation } from './budgets/evaluate.js';
export { parseThresholdExpression } from './budgets/expression.js';
export type { ThresholdExpression } from './budgets/expression.js';
export { parseSelector } from './budgets/selector.js';
export type { MetricSelector } from './budgets/selector.js';
export { ThresholdSyntaxError } from './budgets/errors.js';

// Reports
export { formatSummaryTable, formatThresholdLine } from './report/table.js';
export { buildJsonSummary, writeJsonSummary } from './report/json-summary.js';
export type { JsonSummary, JsonSummaryInput } from './report/json-summary.js';
export { formatTimeSeriesNdjson, writeTimeSeriesNdjson } from './report/ndjson.js';
export { formatJUnit } from './report/junit.js';
export type { ExtraCheck } from './report/junit.js';
export { renderHtmlReport, writeHtmlReport } from './report/html.js';
export type { Annotation, HtmlReportInput } from './report/html.js';

// Compare (the CI regression gate)
export { compareRuns } from './compare/compare.js';
export type { CompareOptions, CompareResult, MetricComparison, Verdict } from './compare/compare.js';
export { runSamplesFromMetrics } from './compare/samples.js';
export type { RunSamples, SampleOptions } from './compare/samples.js';
export { mannWhitneyU } from './compare/mann-whitney.js';

// Runtime
export { runPlan } from './runtime/run-plan.js';
export type { RunOptions, RunResult } from './runtime/run-plan.js';
export type {
  RunPlan,
  ScenarioPlan,
  ExecutorPlan,
  FlowPlan,
  TargetPlan,
  AccountPlan,
  SinkPlan,
} from './runtime/plan.js';
export { validatePlan } from './runtime/validate.js';
export { BenchRuntimeError } from './runtime/errors.js';
export type { RuntimeErrorCode } from './runtime/errors.js';
export type { ScenarioAttainment } from './runtime/attainment.js';
export { measureGeneratorCeiling } from './runtime/ceiling.js';
export type { GeneratorCeiling } from './runtime/ceiling.js';
export { StatusSink } from './sink/status-sink.js';
export type { Reconciliation } from './sink/message-ledger.js';

// The whole job
export { runScenario, BENCH_EXIT } from './bench/run-scenario.js';
export type { BenchOptions, BenchOutcome, BenchProgress } from './bench/run-scenario.js';
export { calibrate } from './bench/calibration.js';
export type { Calibration } from './bench/calibration.js';
export { BenchSetupError, checkSetup } from './bench/setup.js';
