/**
 * Checks a plan before any thread starts, so that a mistake (or a flow this lab cannot run
 * yet) fails at once with the path to the problem.
 */
import { BenchRuntimeError } from './errors.js';
import { flowDefinition } from './flows/registry.js';
import type { ExecutorPlan, RunPlan, TargetPlan } from './plan.js';

function positive(value: number, path: string, allowZero = false): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw new BenchRuntimeError(
      'PLAN_INVALID',
      `${path}: must be a ${allowZero ? 'non-negative' : 'positive'} number`,
      path,
    );
}

function integer(value: number, path: string, allowZero = false): void {
  positive(value, path, allowZero);
  if (!Number.isInteger(value))
    throw new BenchRuntimeError('PLAN_INVALID', `${path}: must be an integer`, path);
}

function validateExecutor(e: ExecutorPlan, path: string): void {
  switch (e.type) {
    case 'constant-arrival-rate':
      positive(e.rate, `${path}.rate`);
      positive(e.timeUnitMs, `${path}.timeUnitMs`);
      positive(e.durationMs, `${path}.durationMs`);
      break;
    case 'ramping-arrival-rate':
      positive(e.startRate, `${path}.startRate`, true);
      positive(e.timeUnitMs, `${path}.timeUnitMs`);
      if (e.stages.length === 0)
        throw new BenchRuntimeError(
          'PLAN_INVALID',
          `${path}.stages: needs at least one stage`,
          `${path}.stages`,
        );
      e.stages.forEach((s, i) => {
        positive(s.durationMs, `${path}.stages[${i}].durationMs`, true);
        positive(s.target, `${path}.stages[${i}].target`, true);
      });
      break;
    case 'constant-vus':
      integer(e.vus, `${path}.vus`);
      positive(e.durationMs, `${path}.durationMs`);
      return;
    case 'per-vu-iterations':
      integer(e.vus, `${path}.vus`);
      integer(e.iterations, `${path}.iterations`);
      positive(e.maxDurationMs, `${path}.maxDurationMs`);
      return;
    case 'max-throughput':
      integer(e.connections, `${path}.connections`);
      positive(e.durationMs, `${path}.durationMs`);
      if (e.pipelining !== undefined) integer(e.pipelining, `${path}.pipelining`);
      return;
    default:
      throw new BenchRuntimeError('PLAN_INVALID', `${path}.type: unknown executor`, `${path}.type`);
  }
  integer(e.preAllocatedVUs, `${path}.preAllocatedVUs`, true);
  integer(e.maxVUs, `${path}.maxVUs`);
  if (e.maxVUs < e.preAllocatedVUs)
    throw new BenchRuntimeError(
      'PLAN_INVALID',
      `${path}.maxVUs: must be at least preAllocatedVUs`,
      `${path}.maxVUs`,
    );
}

/** The main account first (its numbers are the scenario's own), each account once. */
function validateAccounts(target: TargetPlan): void {
  const accounts = target.accounts;
  if (accounts === undefined || accounts.length === 0) return;
  if (accounts[0]!.accountSid !== target.accountSid)
    throw new BenchRuntimeError(
      'PLAN_INVALID',
      'target.accounts[0]: must be the main account (target.accountSid)',
      'target.accounts[0]',
    );
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    const path = `target.accounts[${i}]`;
    if (a.accountSid === '' || a.authToken === '')
      throw new BenchRuntimeError('PLAN_INVALID', `${path}: needs an accountSid and an authToken`, path);
    if (seen.has(a.accountSid))
      throw new BenchRuntimeError('PLAN_INVALID', `${path}: duplicate account ${a.accountSid}`, path);
    seen.add(a.accountSid);
  });
}

export function validatePlan(plan: RunPlan): void {
  if (plan.scenarios.length === 0)
    throw new BenchRuntimeError('PLAN_INVALID', 'scenarios: needs at least one scenario', 'scenarios');
  if (plan.workers !== undefined) integer(plan.workers, 'workers');
  if (plan.latenessToleranceMs !== undefined) positive(plan.latenessToleranceMs, 'latenessToleranceMs', true);
  validateAccounts(plan.target);
  const names = new Set<string>();
  plan.scenarios.forEach((s, i) => {
    const path = `scenarios[${i}]`;
    if (names.has(s.name))
      throw new BenchRuntimeError(
        'PLAN_INVALID',
        `${path}.name: duplicate scenario ${s.name}`,
        `${path}.name`,
      );
    names.add(s.name);
    positive(s.startTimeMs, `${path}.startTimeMs`, true);
    positive(s.gracefulStopMs, `${path}.gracefulStopMs`, true);
    validateExecutor(s.executor, `${path}.executor`);
    if (s.flows.length === 0)
      throw new BenchRuntimeError('PLAN_INVALID', `${path}.flows: needs at least one flow`, `${path}.flows`);
    s.flows.forEach((f, j) => {
      const flowPath = `${path}.flows[${j}]`;
      positive(f.weight, `${flowPath}.weight`);
      flowDefinition(f.flow, `${flowPath}.flow`).validate(f.with, `${flowPath}.with`);
    });
    if (s.executor.type === 'max-throughput' && (s.flows.length !== 1 || s.flows[0]!.flow !== 'http'))
      throw new BenchRuntimeError(
        'PLAN_INVALID',
        `${path}.flows: the max-throughput executor drives exactly one http flow`,
        `${path}.flows`,
      );
  });
}
