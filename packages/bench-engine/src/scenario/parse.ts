import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { ThresholdSyntaxError } from '../budgets/errors.js';
import type { Threshold } from '../budgets/evaluate.js';
import { AGGREGATIONS_BY_TYPE, aggregationLabel, parseThresholdExpression } from '../budgets/expression.js';
import { KNOWN_METRIC_TYPES, parseSelector } from '../budgets/selector.js';
import type { MetricSelector } from '../budgets/selector.js';
import { checkShape } from './check.js';
import type { RawIssue } from './check.js';
import { parseDuration } from './duration.js';
import { ScenarioError } from './errors.js';
import type { ScenarioIssue } from './errors.js';
import { formatPath } from './path.js';
import type { PathSegment } from './path.js';
import {
  EXECUTORS,
  EXECUTOR_SHAPES,
  FLOW_WITH,
  Fault,
  FlowEntryShape,
  ScenarioFileShape,
  ThresholdObject,
} from './schema.js';
import type { ExecutorName, FlowName } from './schema.js';
import type {
  ExecutorSpec,
  FaultSpec,
  FlowSpec,
  LabTarget,
  Scenario,
  ScenarioSpec,
  SetupSpec,
} from './types.js';

const SCENARIO_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Metrics are kept per second, so a budget window cannot be finer than that. */
const MIN_WINDOW_MS = 1000;

/** Reads and validates a scenario file (YAML or JSON). Throws ScenarioError (exit 104). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ScenarioError(path, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parseScenario(text, path);
}

/** Validates scenario text (YAML or JSON). Throws ScenarioError listing every problem found. */
export function parseScenario(text: string, sourceName: string): Scenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ScenarioError(
      sourceName,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        // prettyErrors appends ' at line L, column C:' and a code excerpt; the position is kept apart.
        const message = `YAML syntax: ${error.message.split(' at line ')[0] ?? error.message}`;
        return at === undefined ? { path: '', message } : { path: '', message, line: at.line, col: at.col };
      }),
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 1000 });
  if (value === null || value === undefined) {
    throw new ScenarioError(sourceName, [{ path: '', message: 'the file is empty' }]);
  }
  const issues: RawIssue[] = [];
  const scenario = normalise(value, sourceName, issues);
  if (scenario === undefined || issues.length > 0) {
    throw new ScenarioError(
      sourceName,
      issues.map((issue) => locate(issue, document, lineCounter)),
    );
  }
  return scenario;
}

function locate(issue: RawIssue, document: Document, lineCounter: LineCounter): ScenarioIssue {
  const located: ScenarioIssue = { path: formatPath(issue.segments), message: issue.message };
  // A missing key has no node: fall back to the nearest ancestor that exists.
  for (let depth = issue.segments.length; depth >= 0; depth--) {
    const node = document.getIn(issue.segments.slice(0, depth), true) as
      { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    if (offset !== undefined) {
      const position = lineCounter.linePos(offset);
      located.line = position.line;
      located.col = position.col;
      break;
    }
  }
  return located;
}

type Json = Record<string, unknown>;

/** Everything here runs only on parts whose shape has been checked; undefined means "issues added". */
function normalise(value: unknown, source: string, issues: RawIssue[]): Scenario | undefined {
  if (!checkShape(ScenarioFileShape, value, [], issues)) {
    // Keep going into the parts that are there, so one pass reports every problem.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  }
  const file = value as Json;
  const scenarios: ScenarioSpec[] = [];
  if (isMapping(file.scenarios)) {
    for (const [name, body] of Object.entries(file.scenarios)) {
      const spec = normaliseScenario(name, body, ['scenarios', name], issues);
      if (spec !== undefined) scenarios.push(spec);
    }
  }
  const thresholds = isMapping(file.thresholds) ? normaliseThresholds(file.thresholds, issues) : [];
  const faults: FaultSpec[] = [];
  if (Array.isArray(file.faults)) {
    file.faults.forEach((fault: unknown, index) => {
      const spec = normaliseFault(fault, ['faults', index], issues);
      if (spec !== undefined) faults.push(spec);
    });
  }
  const lab = normaliseLab(file.lab, issues);
  if (issues.length > 0) return undefined;
  const setup = (file.setup ?? {}) as Partial<SetupSpec>;
  const scenario: Scenario = {
    name: file.name as string,
    source,
    lab,
    setup: {
      accounts: setup.accounts ?? 1,
      numbersPerAccount: setup.numbersPerAccount ?? 0,
      messagingServices: setup.messagingServices ?? 0,
      verifyServices: setup.verifyServices ?? 0,
      rooms: setup.rooms ?? 0,
    },
    scenarios,
    thresholds,
    faults,
    plannedDurationMs: Math.max(0, ...scenarios.map((s) => s.startTimeMs + plannedLengthMs(s.executor))),
  };
  if (typeof file.description === 'string') scenario.description = file.description;
  return scenario;
}

function normaliseLab(raw: unknown, issues: RawIssue[]): LabTarget {
  if (!isMapping(raw)) return { mode: 'embedded' };
  const lab = raw as unknown as LabTarget;
  if (lab.mode === 'url' && lab.url === undefined) {
    issues.push({ segments: ['lab', 'url'], message: "is required when mode is 'url'" });
  }
  if (lab.mode === 'embedded' && lab.url !== undefined) {
    issues.push({
      segments: ['lab', 'url'],
      message: "only applies to mode 'url' (an embedded lab picks its own port)",
    });
  }
  const out: LabTarget = { mode: lab.mode };
  if (lab.url !== undefined) out.url = lab.url;
  if (lab.profile !== undefined) out.profile = lab.profile;
  return out;
}

function normaliseScenario(
  name: string,
  body: unknown,
  at: PathSegment[],
  issues: RawIssue[],
): ScenarioSpec | undefined {
  if (!SCENARIO_NAME.test(name)) {
    issues.push({
      segments: at,
      message: 'scenario names use letters, digits, _, . and - (they become the `scenario` tag)',
    });
  }
  if (!isMapping(body)) {
    issues.push({ segments: at, message: 'expected a mapping with an `executor`' });
    return undefined;
  }
  const executorName = body.executor;
  if (typeof executorName !== 'string' || !(EXECUTORS as readonly string[]).includes(executorName)) {
    const got =
      executorName === undefined ? 'is required' : `unknown executor ${JSON.stringify(executorName)}`;
    issues.push({
      segments: [...at, 'executor'],
      message: `${got}; expected one of ${EXECUTORS.join(', ')}`,
    });
    return undefined;
  }
  const before = issues.length;
  checkShape(EXECUTOR_SHAPES[executorName as ExecutorName], body, at, issues);
  const flows = normaliseFlows(body, executorName as ExecutorName, at, issues);
  const tags: Record<string, string> = {};
  if (isMapping(body.tags)) {
    for (const [key, tagValue] of Object.entries(body.tags)) {
      if (key === 'scenario') {
        issues.push({
          segments: [...at, 'tags', key],
          message: "is set from the scenario's name; remove it",
        });
      } else if (!TAG_KEY.test(key)) {
        issues.push({ segments: [...at, 'tags', key], message: 'tag names use letters, digits, _, . and -' });
      }
      if (typeof tagValue === 'string') tags[key] = tagValue;
    }
  }
  if (issues.length > before || flows === undefined) return undefined;
  const executor = normaliseExecutor(executorName as ExecutorName, body, at, issues);
  if (executor === undefined) return undefined;
  return {
    name,
    executor,
    startTimeMs: durationOr(body.startTime, 0),
    gracefulStopMs: durationOr(body.gracefulStop, 30_000),
    tags: { ...tags, scenario: name },
    flows,
  };
}

function normaliseExecutor(
  type: ExecutorName,
  body: Json,
  at: PathSegment[],
  issues: RawIssue[],
): ExecutorSpec | undefined {
  const timeUnitMs = durationOr(body.timeUnit, 1000);
  if (timeUnitMs <= 0) {
    issues.push({ segments: [...at, 'timeUnit'], message: 'must be longer than 0' });
    return undefined;
  }
  const preAllocatedVUs = body.preAllocatedVUs as number;
  const maxVUs = (body.maxVUs as number | undefined) ?? preAllocatedVUs;
  if (maxVUs < preAllocatedVUs) {
    issues.push({
      segments: [...at, 'maxVUs'],
      message: `must be at least preAllocatedVUs (${preAllocatedVUs})`,
    });
    return undefined;
  }
  const durationMs = durationOr(body.duration, 0);
  switch (type) {
    case 'constant-arrival-rate':
      return { type, rate: body.rate as number, timeUnitMs, durationMs, preAllocatedVUs, maxVUs };
    case 'ramping-arrival-rate':
      return {
        type,
        startRate: (body.startRate as number | undefined) ?? 0,
        timeUnitMs,
        stages: (body.stages as Json[]).map((stage) => ({
          durationMs: durationOr(stage.duration, 0),
          target: stage.target as number,
        })),
        preAllocatedVUs,
        maxVUs,
      };
    case 'constant-vus':
      return { type, vus: (body.vus as number | undefined) ?? 1, durationMs };
    case 'per-vu-iterations':
      return {
        type,
        vus: (body.vus as number | undefined) ?? 1,
        iterations: (body.iterations as number | undefined) ?? 1,
        maxDurationMs: durationOr(body.maxDuration, 600_000),
      };
    case 'max-throughput':
      return {
        type,
        connections: (body.connections as number | undefined) ?? 10,
        durationMs,
        pipelining: (body.pipelining as number | undefined) ?? 1,
      };
  }
}

function normaliseFlows(
  body: Json,
  executor: ExecutorName,
  at: PathSegment[],
  issues: RawIssue[],
): FlowSpec[] | undefined {
  const hasFlow = body.flow !== undefined;
  const hasFlows = body.flows !== undefined;
  if (hasFlow && hasFlows) {
    issues.push({
      segments: [...at, 'flows'],
      message: 'use either `flow` (with `with`) or `flows`, not both',
    });
    return undefined;
  }
  if (!hasFlow && !hasFlows) {
    issues.push({
      segments: at,
      message: 'needs a `flow` (with its `with` parameters) or a list of `flows`',
    });
    return undefined;
  }
  if (!hasFlow && body.with !== undefined) {
    issues.push({
      segments: [...at, 'with'],
      message: 'belongs to `flow`; each entry of `flows` has its own `with`',
    });
  }
  const entries: { entry: unknown; at: PathSegment[] }[] = hasFlow
    ? [{ entry: { flow: body.flow, with: body.with }, at }]
    : Array.isArray(body.flows)
      ? body.flows.map((entry: unknown, index) => ({ entry, at: [...at, 'flows', index] }))
      : [];
  const flows: FlowSpec[] = [];
  const before = issues.length;
  for (const { entry, at: entryAt } of entries) {
    // A single `flow` was already shape-checked with the scenario; only `with` is left.
    if (hasFlows && !checkShape(FlowEntryShape, entry, entryAt, issues)) continue;
    const { flow, weight, with: params } = entry as { flow: FlowName; weight?: number; with?: unknown };
    if (typeof flow !== 'string' || !(flow in FLOW_WITH)) continue;
    const spec = normaliseWith(flow, params ?? {}, [...entryAt, 'with'], issues);
    if (spec !== undefined) flows.push({ flow, weight: weight ?? 1, with: spec });
  }
  if (issues.length > before) return undefined;
  if (executor === 'max-throughput' && (flows.length !== 1 || flows[0]?.flow !== 'http')) {
    issues.push({
      segments: [...at, hasFlow ? 'flow' : 'flows'],
      message: 'max-throughput drives one `http` flow (autocannon replays a single request)',
    });
    return undefined;
  }
  return flows;
}

function normaliseWith(
  flow: FlowName,
  params: unknown,
  at: PathSegment[],
  issues: RawIssue[],
): Json | undefined {
  if (!checkShape(FLOW_WITH[flow], params, at, issues)) return undefined;
  const given = params as Json;
  switch (flow) {
    case 'http':
      if ((given.path === undefined) === (given.url === undefined)) {
        issues.push({ segments: at, message: 'needs exactly one of `path` and `url`' });
        return undefined;
      }
      if (['body', 'form', 'json'].filter((key) => given[key] !== undefined).length > 1) {
        issues.push({ segments: at, message: 'give at most one of `body`, `form` and `json`' });
        return undefined;
      }
      return { method: 'GET', ...given };
    case 'sms.send': {
      if ((given.from === undefined) === (given.messagingServiceSid === undefined)) {
        issues.push({ segments: at, message: 'needs exactly one of `from` and `messagingServiceSid`' });
        return undefined;
      }
      const { timeout, ...rest } = given;
      return { ...rest, timeoutMs: durationOr(timeout, 30_000) };
    }
    default:
      return { ...given };
  }
}

function normaliseThresholds(record: Json, issues: RawIssue[]): Threshold[] {
  const thresholds: Threshold[] = [];
  for (const [key, items] of Object.entries(record)) {
    const at: PathSegment[] = ['thresholds', key];
    let selector: MetricSelector | undefined;
    try {
      selector = parseSelector(key);
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError)) throw error;
      issues.push({ segments: at, message: error.message });
    }
    if (!Array.isArray(items)) continue; // the shape check has reported it
    items.forEach((item: unknown, index) => {
      const itemAt = [...at, index];
      let text: string;
      const options = { abortOnFail: false, delayAbortEvalMs: 0, windowMs: undefined as number | undefined };
      if (typeof item === 'string') text = item;
      else if (isMapping(item)) {
        if (!checkShape(ThresholdObject, item, itemAt, issues)) return;
        text = item.threshold as string;
        options.abortOnFail = item.abortOnFail === true;
        options.delayAbortEvalMs = durationOr(item.delayAbortEval, 0);
        if (item.window !== undefined) {
          options.windowMs = durationOr(item.window, 0);
          if (options.windowMs < MIN_WINDOW_MS) {
            issues.push({
              segments: [...itemAt, 'window'],
              message: 'must be at least 1s (metrics are kept per second)',
            });
          }
        }
        itemAt.push('threshold');
      } else {
        issues.push({
          segments: itemAt,
          message: "expected an expression like 'p(99)<200' or a mapping with `threshold`",
        });
        return;
      }
      let threshold: Threshold;
      try {
        const expression = parseThresholdExpression(text);
        if (selector === undefined) return;
        threshold = {
          selector,
          expression,
          abortOnFail: options.abortOnFail,
          delayAbortEvalMs: options.delayAbortEvalMs,
        };
        if (options.windowMs !== undefined) threshold.windowMs = options.windowMs;
      } catch (error) {
        if (!(error instanceof ThresholdSyntaxError)) throw error;
        issues.push({ segments: itemAt, message: error.message });
        return;
      }
      const type = KNOWN_METRIC_TYPES[selector.metric];
      if (type !== undefined && !AGGREGATIONS_BY_TYPE[type].includes(threshold.expression.aggregation)) {
        const allowed = AGGREGATIONS_BY_TYPE[type].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
        issues.push({
          segments: itemAt,
          message: `'${aggregationLabel(threshold.expression)}' does not apply to ${selector.metric}, a ${type} metric (use ${allowed})`,
        });
        return;
      }
      thresholds.push(threshold);
    });
  }
  return thresholds;
}

function normaliseFault(raw: unknown, at: PathSegment[], issues: RawIssue[]): FaultSpec | undefined {
  if (!checkShape(Fault, raw, at, issues)) return undefined;
  const { at: atText, for: forText, action, target, ...params } = raw as Json;
  const fault: FaultSpec = {
    atMs: durationOr(atText, 0),
    action: action as string,
    target: target as string,
    params,
  };
  if (forText !== undefined) fault.forMs = durationOr(forText, 0);
  return fault;
}

function plannedLengthMs(executor: ExecutorSpec): number {
  switch (executor.type) {
    case 'ramping-arrival-rate':
      return executor.stages.reduce((sum, stage) => sum + stage.durationMs, 0);
    case 'per-vu-iterations':
      return executor.maxDurationMs;
    default:
      return executor.durationMs;
  }
}

/** Shape checks have already proven the string is a duration; missing values take the default. */
function durationOr(raw: unknown, fallback: number): number {
  return typeof raw === 'string' ? (parseDuration(raw) ?? fallback) : fallback;
}

function isMapping(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
