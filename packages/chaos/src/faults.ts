/** FaultSpec (as a bench scenario or an experiment file writes it) -> a validated Fault. */
import { checkShape, formatPath, type PathSegment, type RawIssue } from './check.js';
import { parseDuration } from './duration.js';
import { invalid } from './errors.js';
import { ACTION_PARAMS, FaultEntryShape } from './schema.js';
import {
  FAULT_ACTIONS,
  TOXIC_TYPES,
  type Fault,
  type FaultAction,
  type FaultSpec,
  type NetemParams,
  type Stream,
  type ToxicType,
} from './types.js';

/** Actions that happen once and cannot be "held" for a while. */
const INSTANT: ReadonlySet<FaultAction> = new Set(['up', 'restart']);

/** Attribute defaults Toxiproxy would otherwise fill with zeros anyway; spelled out for the journal. */
const TOXIC_DEFAULTS: Readonly<Partial<Record<ToxicType, Record<string, number>>>> = {
  latency: { jitter: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  slicer: { size_variation: 0, delay: 0 },
};

/** One raw `faults` entry ({at, for?, action, target, ...params}) -> FaultSpec; undefined after issues. */
export function faultSpecFromEntry(
  raw: unknown,
  at: PathSegment[],
  issues: RawIssue[],
): FaultSpec | undefined {
  if (!checkShape(FaultEntryShape, raw, at, issues)) return undefined;
  const { at: atText, for: forText, action, target, ...params } = raw as Record<string, unknown>;
  const spec: FaultSpec = {
    atMs: parseDuration(atText as string) ?? 0,
    action: action as string,
    target: target as string,
    params,
  };
  if (typeof forText === 'string') spec.forMs = parseDuration(forText) ?? 0;
  return spec;
}

/** Validates one FaultSpec's action and params; `at` is where it sits for error paths. */
export function compileFault(
  spec: FaultSpec,
  index: number,
  at: PathSegment[],
  issues: RawIssue[],
): Fault | undefined {
  if (!(FAULT_ACTIONS as readonly string[]).includes(spec.action)) {
    issues.push({
      segments: [...at, 'action'],
      message: `unknown action '${spec.action}'; expected one of ${FAULT_ACTIONS.join(', ')}`,
    });
    return undefined;
  }
  const action = spec.action as FaultAction;
  if (typeof spec.target !== 'string' || spec.target === '') {
    issues.push({ segments: [...at, 'target'], message: 'must not be empty' });
    return undefined;
  }
  if (!Number.isFinite(spec.atMs) || spec.atMs < 0) {
    issues.push({ segments: [...at, 'at'], message: 'must be 0 or later' });
    return undefined;
  }
  if (spec.forMs !== undefined && (!Number.isFinite(spec.forMs) || spec.forMs <= 0)) {
    issues.push({ segments: [...at, 'for'], message: 'must be longer than 0' });
    return undefined;
  }
  if (spec.forMs !== undefined && INSTANT.has(action)) {
    issues.push({ segments: [...at, 'for'], message: `'${action}' happens once; it cannot last` });
    return undefined;
  }
  if (!checkShape(ACTION_PARAMS[action], spec.params, at, issues)) return undefined;
  const timing = {
    index,
    atMs: spec.atMs,
    target: spec.target,
    action,
    ...(spec.forMs === undefined ? {} : { forMs: spec.forMs }),
  };
  const p = spec.params as Record<string, number | string | undefined>;
  if ((TOXIC_TYPES as readonly string[]).includes(action)) {
    const toxic = action as ToxicType;
    const { stream, toxicity, ...attributes } = p;
    const streams: Stream[] =
      stream === 'both' ? ['upstream', 'downstream'] : [stream === 'upstream' ? 'upstream' : 'downstream'];
    return {
      ...timing,
      kind: 'toxic',
      toxic,
      streams,
      toxicity: typeof toxicity === 'number' ? toxicity : 1,
      attributes: { ...TOXIC_DEFAULTS[toxic], ...(attributes as Record<string, number>) },
    };
  }
  switch (action) {
    case 'down':
      return { ...timing, kind: 'link-down' };
    case 'up':
      return { ...timing, kind: 'link-up' };
    case 'kill':
    case 'pause':
    case 'restart':
      return { ...timing, kind: 'process', action };
    case 'netem': {
      const netem: NetemParams = {};
      if (p.delay !== undefined) netem.delayMs = p.delay as number;
      if (p.jitter !== undefined) netem.jitterMs = p.jitter as number;
      if (p.loss !== undefined) netem.lossPercent = p.loss as number;
      if (p.reorder !== undefined) netem.reorderPercent = p.reorder as number;
      if (p.duplicate !== undefined) netem.duplicatePercent = p.duplicate as number;
      if (p.corrupt !== undefined) netem.corruptPercent = p.corrupt as number;
      if (Object.keys(netem).length === 0) {
        issues.push({
          segments: at,
          message: 'netem needs at least one of delay, jitter, loss, reorder, duplicate, corrupt',
        });
        return undefined;
      }
      if (
        (netem.jitterMs !== undefined || netem.reorderPercent !== undefined) &&
        netem.delayMs === undefined
      ) {
        issues.push({ segments: at, message: 'jitter and reorder need a delay' });
        return undefined;
      }
      return { ...timing, kind: 'netem', netem };
    }
    default:
      return undefined;
  }
}

/** Validates a bench scenario's fault list; throws CHAOS_INVALID naming every problem. */
export function compileFaults(specs: readonly FaultSpec[], source = 'faults'): Fault[] {
  const issues: RawIssue[] = [];
  const faults: Fault[] = [];
  specs.forEach((spec, index) => {
    const fault = compileFault(spec, index, ['faults', index], issues);
    if (fault !== undefined) faults.push(fault);
  });
  if (issues.length > 0) {
    throw invalid(
      source,
      issues.map((i) => ({ path: formatPath(i.segments), message: i.message })),
    );
  }
  return faults;
}

/** When the fault timeline is over: the last revert (or injection, for faults that are not held). */
export function timelineEndMs(faults: readonly Fault[]): number {
  return Math.max(0, ...faults.map((f) => f.atMs + (f.forMs ?? 0)));
}
