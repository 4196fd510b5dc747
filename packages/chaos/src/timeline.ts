/**
 * The fault timeline: injects each fault at its offset from the run's start, reverts it after
 * `for`, and on stop() reverts whatever is still active. Usable on its own (the bench engine's
 * scenario `faults`) and by runExperiment. Every control call has a timeout; every revert is
 * known to a crash guard process before the fault is injected.
 */
import { randomBytes } from 'node:crypto';
import { CrashGuard } from './crash-guard.js';
import { ChaosError, errorMessage } from './errors.js';
import { compileFaults } from './faults.js';
import { Journal } from './journal.js';
import { NetemNamespace, requireNetem, systemNetem, type NetemSystem } from './netem.js';
import { resolveTarget } from './targets.js';
import { DEFAULT_CONTROL_TIMEOUT_MS, ToxiproxyClient, type ProxyJson } from './toxiproxy.js';
import type { Fault, FaultSpec, ProcessRegistry, RollbackReport, UndoOutcome } from './types.js';
import { describeUndo, runPortableUndo, type UndoStep } from './undo.js';

export interface FaultContext {
  /** Needed by link faults (toxics, down/up). */
  toxiproxyUrl?: string;
  /** Needed by process faults. */
  processes?: ProcessRegistry;
  /** Timeout of every control call (Toxiproxy, registry, tc). Default 5 s. */
  controlTimeoutMs?: number;
  /** Journal to append to (runExperiment shares its own); else one is made from journalPath. */
  journal?: Journal;
  journalPath?: string;
  /** Date.now() that `atMs` counts from. Default: when startFaults is called. */
  startedAt?: number;
  /** Run a crash guard process that reverts if this process dies first. Default true. */
  crashGuard?: boolean;
  /**
   * When a targeted revert on Toxiproxy fails, POST /reset as a last resort. That resets EVERY
   * proxy on the server (also ones this run did not touch), so it is off by default.
   */
  resetFallback?: boolean;
  /** Machine access for netem faults (tests replace it). */
  netemSystem?: NetemSystem;
  /** Called for each fault that could not be injected or reverted (also journalled). */
  onError?: (error: ChaosError, fault: Fault) => void;
}

export interface FaultTimeline {
  readonly journal: Journal;
  readonly faults: readonly Fault[];
  /** Faults injected and not reverted yet. */
  readonly activeCount: number;
  /** Bumped at the start and end of every injection and revert. */
  readonly epoch: number;
  readonly errors: readonly ChaosError[];
  /** Resolves once every fault has been injected and every timed one reverted. */
  readonly done: Promise<void>;
  /** Cancels what is not injected yet and reverts everything still active. Idempotent. */
  stop(): Promise<RollbackReport>;
}

/** Validates the faults and checks every target exists (and netem can run) before anything is injected. */
export async function prepareFaults(
  faults: readonly (FaultSpec | Fault)[],
  ctx: FaultContext,
): Promise<Fault[]> {
  const compiled = faults.every(isCompiled) ? [...faults] : compileFaults(faults as FaultSpec[]);
  const timeoutMs = ctx.controlTimeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
  const links = compiled.filter((f) => f.kind === 'toxic' || f.kind === 'link-down' || f.kind === 'link-up');
  if (links.length > 0) {
    if (ctx.toxiproxyUrl === undefined) {
      throw new ChaosError(
        'CHAOS_TOXIPROXY_UNREACHABLE',
        `${label(links[0] as Fault)}: link faults need a Toxiproxy URL (TOXIPROXY_URL).`,
      );
    }
    const names = (await new ToxiproxyClient(ctx.toxiproxyUrl, timeoutMs).proxies()).map((p) => p.name);
    for (const fault of links) resolveTarget('link', fault.target, names, label(fault));
  }
  const processFaults = compiled.filter((f) => f.kind === 'process');
  if (processFaults.length > 0) {
    const names =
      ctx.processes === undefined
        ? []
        : (await withTimeout(Promise.resolve(ctx.processes.list()), timeoutMs, 'process list')).map(
            (p) => p.name,
          );
    for (const fault of processFaults) resolveTarget('process', fault.target, names, label(fault));
  }
  if (compiled.some((f) => f.kind === 'netem')) await requireNetem(ctx.netemSystem ?? systemNetem);
  return compiled;
}

/** prepareFaults, then schedules them. */
export async function startFaults(
  faults: readonly (FaultSpec | Fault)[],
  ctx: FaultContext,
): Promise<FaultTimeline> {
  const compiled = await prepareFaults(faults, ctx);
  return new Timeline(compiled, ctx);
}

function isCompiled(f: FaultSpec | Fault): f is Fault {
  return 'kind' in f && 'index' in f;
}

export function label(fault: Fault): string {
  return `fault ${fault.index} (${fault.action} ${fault.target})`;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChaosError('CHAOS_CONTROL_TIMEOUT', `${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface OwedUndo {
  step: UndoStep;
  fault: number;
}

class Timeline implements FaultTimeline {
  readonly journal: Journal;
  readonly faults: readonly Fault[];
  activeCount = 0;
  epoch = 0;
  readonly errors: ChaosError[] = [];
  readonly done: Promise<void>;

  private readonly runId = randomBytes(3).toString('hex');
  private readonly toxiproxy: ToxiproxyClient | undefined;
  private readonly timeoutMs: number;
  private readonly guard: CrashGuard | undefined;
  private readonly owed = new Map<number, OwedUndo>();
  private nextUndoId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly namespaces = new Map<string, NetemNamespace>();
  private pending: number;
  private resolveDone!: () => void;
  private stopped = false;
  private stopping: Promise<RollbackReport> | undefined;

  constructor(
    faults: Fault[],
    private readonly ctx: FaultContext,
  ) {
    this.faults = faults;
    this.timeoutMs = ctx.controlTimeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
    this.toxiproxy =
      ctx.toxiproxyUrl === undefined ? undefined : new ToxiproxyClient(ctx.toxiproxyUrl, this.timeoutMs);
    this.journal =
      ctx.journal ??
      new Journal({
        ...(ctx.journalPath === undefined ? {} : { path: ctx.journalPath }),
        ...(ctx.startedAt === undefined ? {} : { startedAt: ctx.startedAt }),
      });
    const startedAt = ctx.startedAt ?? this.journal.startedAt;
    if (ctx.crashGuard !== false) {
      this.guard = new CrashGuard({
        ...(ctx.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: ctx.toxiproxyUrl }),
        timeoutMs: this.timeoutMs,
        ...(this.journal.path === undefined ? {} : { journalPath: this.journal.path }),
        startedAt: this.journal.startedAt,
      });
    }
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.pending = faults.reduce((n, f) => n + (f.forMs === undefined ? 1 : 2), 0);
    if (this.pending === 0) this.resolveDone();
    for (const fault of faults) this.schedule(startedAt + fault.atMs, () => this.inject(fault));
  }

  private schedule(at: number, action: () => Promise<void>): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        const work = action().finally(() => {
          this.inflight.delete(work);
          if (--this.pending === 0) this.resolveDone();
        });
        this.inflight.add(work);
      },
      Math.max(0, at - Date.now()),
    );
    this.timers.add(timer);
  }

  private owe(fault: Fault, step: UndoStep): void {
    const id = this.nextUndoId++;
    this.owed.set(id, { step, fault: fault.index });
    // The guard cannot restart (that needs the registry); everything else it can revert.
    if (step.type !== 'restart') this.guard?.add(id, step);
  }

  private async inject(fault: Fault): Promise<void> {
    if (this.stopped) return;
    this.epoch++;
    try {
      const resolved = await this.apply(fault);
      this.journal.record({
        event: 'inject',
        fault: fault.index,
        action: fault.action,
        target: fault.target,
        resolved,
        detail: describeFault(fault),
      });
      const held = fault.kind !== 'link-up' && !(fault.kind === 'process' && fault.action === 'restart');
      if (held) this.activeCount++;
      if (fault.forMs !== undefined) {
        this.schedule(this.journal.startedAt + fault.atMs + fault.forMs, () => this.revert(fault));
      }
    } catch (err) {
      this.fail(fault, err, 'inject');
      // Its revert will not come: count it as done so `done` still resolves.
      if (fault.forMs !== undefined && --this.pending === 0) this.resolveDone();
    } finally {
      this.epoch++;
    }
  }

  private async revert(fault: Fault): Promise<void> {
    if (this.stopped) return;
    this.epoch++;
    const outcomes = await this.runOwed((u) => u.fault === fault.index);
    this.activeCount = Math.max(0, this.activeCount - 1);
    const failed = outcomes.filter((o) => !o.ok);
    this.journal.record({
      event: failed.length === 0 ? 'revert' : 'error',
      fault: fault.index,
      action: fault.action,
      target: fault.target,
      detail: outcomes.map((o) => (o.ok ? o.what : `${o.what}: FAILED ${o.error}`)).join('; '),
    });
    for (const o of failed)
      this.fail(fault, new ChaosError('CHAOS_COMMAND_FAILED', `${o.what}: ${o.error}`), 'revert', false);
    this.epoch++;
  }

  private fail(fault: Fault, err: unknown, stage: 'inject' | 'revert', journal = true): void {
    const error =
      err instanceof ChaosError
        ? err
        : new ChaosError('CHAOS_COMMAND_FAILED', errorMessage(err), { cause: err });
    this.errors.push(error);
    if (journal) {
      this.journal.record({
        event: 'error',
        fault: fault.index,
        action: fault.action,
        target: fault.target,
        detail: `${stage}: ${error.message}`,
      });
    }
    this.ctx.onError?.(error, fault);
  }

  /** Performs the fault; returns the concrete names it touched. */
  private async apply(fault: Fault): Promise<string[]> {
    switch (fault.kind) {
      case 'toxic': {
        const proxies = await this.links(fault);
        for (const proxy of proxies) {
          for (const stream of fault.streams) {
            const name = `chaos_${this.runId}_f${fault.index}_${stream}`;
            this.owe(fault, { type: 'remove-toxic', proxy: proxy.name, toxic: name });
            await this.client().addToxic(proxy.name, {
              name,
              type: fault.toxic,
              stream,
              toxicity: fault.toxicity,
              attributes: fault.attributes,
            });
          }
        }
        return proxies.map((p) => p.name);
      }
      case 'link-down': {
        const proxies = await this.links(fault);
        for (const proxy of proxies) {
          // A link that was already down stays down afterwards.
          if (proxy.enabled) this.owe(fault, { type: 'enable-proxy', proxy: proxy.name });
          await this.client().setEnabled(proxy.name, false);
        }
        return proxies.map((p) => p.name);
      }
      case 'link-up': {
        const proxies = await this.links(fault);
        for (const proxy of proxies) await this.client().setEnabled(proxy.name, true);
        return proxies.map((p) => p.name);
      }
      case 'process': {
        const registry = this.ctx.processes;
        const all =
          registry === undefined
            ? []
            : await withTimeout(Promise.resolve(registry.list()), this.timeoutMs, 'process list');
        const names = resolveTarget(
          'process',
          fault.target,
          all.map((p) => p.name),
          label(fault),
        );
        for (const proc of all.filter((p) => names.includes(p.name))) {
          if (fault.action === 'pause') {
            this.owe(fault, { type: 'resume', pid: proc.pid, name: proc.name });
            process.kill(proc.pid, 'SIGSTOP');
          } else if (fault.action === 'kill') {
            this.owe(fault, { type: 'restart', name: proc.name });
            process.kill(proc.pid, 'SIGKILL');
          } else {
            await withTimeout(
              (registry as ProcessRegistry).restart(proc.name),
              this.timeoutMs,
              `restart of ${proc.name}`,
            );
          }
        }
        return names;
      }
      case 'netem': {
        let ns = this.namespaces.get(fault.target);
        if (ns === undefined) {
          ns = new NetemNamespace(fault.target, this.ctx.netemSystem ?? systemNetem, this.timeoutMs);
          this.namespaces.set(fault.target, ns);
          const created = await ns.create();
          if (created) {
            // Owed by the run as a whole (fault -1), not by this fault: deleted at stop().
            const id = this.nextUndoId++;
            const step: UndoStep = {
              type: 'netem-clear',
              ns: ns.name,
              hostInterface: ns.hostInterface,
              innerInterface: ns.innerInterface,
              destroy: true,
            };
            this.owed.set(id, { step, fault: -1 });
            this.guard?.add(id, step);
          }
        }
        this.owe(fault, {
          type: 'netem-clear',
          ns: ns.name,
          hostInterface: ns.hostInterface,
          innerInterface: ns.innerInterface,
          destroy: false,
        });
        await ns.apply(fault.netem);
        return [ns.name];
      }
    }
  }

  private client(): ToxiproxyClient {
    if (this.toxiproxy === undefined)
      throw new ChaosError(
        'CHAOS_TOXIPROXY_UNREACHABLE',
        'link faults need a Toxiproxy URL (TOXIPROXY_URL).',
      );
    return this.toxiproxy;
  }

  /** Resolved when injected (not at start): proxies created meanwhile by a topology count. */
  private async links(fault: Fault): Promise<ProxyJson[]> {
    const all = await this.client().proxies();
    const names = resolveTarget(
      'link',
      fault.target,
      all.map((p) => p.name),
      label(fault),
    );
    return all.filter((p) => names.includes(p.name));
  }

  /** Runs (newest first) and forgets the owed reverts selected. */
  private async runOwed(select: (u: OwedUndo) => boolean): Promise<UndoOutcome[]> {
    const ids = [...this.owed.entries()]
      .filter(([, u]) => select(u))
      .map(([id]) => id)
      .reverse();
    const outcomes: UndoOutcome[] = [];
    for (const id of ids) {
      const owed = this.owed.get(id) as OwedUndo;
      const outcome = await this.runUndo(owed.step);
      outcomes.push(outcome);
      // A failed revert stays owed: the final rollback (and the guard) try it again.
      if (outcome.ok || owed.step.type === 'restart') {
        this.owed.delete(id);
        this.guard?.done(id);
      }
    }
    return outcomes;
  }

  private async runUndo(step: UndoStep): Promise<UndoOutcome> {
    if (step.type === 'restart') {
      const what = describeUndo(step);
      try {
        if (this.ctx.processes === undefined) throw new Error('no process registry');
        await withTimeout(this.ctx.processes.restart(step.name), this.timeoutMs, what);
        return { what, ok: true };
      } catch (err) {
        return { what, ok: false, error: errorMessage(err) };
      }
    }
    return runPortableUndo(step, this.toxiproxy, this.timeoutMs);
  }

  stop(): Promise<RollbackReport> {
    this.stopping ??= this.rollback();
    return this.stopping;
  }

  private async rollback(): Promise<RollbackReport> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // An injection half done must finish (and register its reverts) before we revert.
    await Promise.allSettled([...this.inflight]);
    this.epoch++;
    const undone = await this.runOwed(() => true);
    let usedResetFallback = false;
    const toxiproxyFailed = undone.some((o) => !o.ok && /toxic|link/.test(o.what));
    if (toxiproxyFailed && this.ctx.resetFallback === true && this.toxiproxy !== undefined) {
      try {
        await this.toxiproxy.reset();
        usedResetFallback = true;
        for (const o of undone) if (!o.ok && /toxic|link/.test(o.what)) o.ok = true;
      } catch (err) {
        undone.push({ what: 'Toxiproxy POST /reset (fallback)', ok: false, error: errorMessage(err) });
      }
    }
    for (const ns of this.namespaces.values()) await ns.destroy().catch(() => undefined);
    this.activeCount = 0;
    this.epoch++;
    const ok = undone.every((o) => o.ok);
    this.journal.record({
      event: 'rollback',
      detail:
        (undone.length === 0
          ? 'nothing was active'
          : undone.map((o) => (o.ok ? o.what : `${o.what}: FAILED ${o.error}`)).join('; ')) +
        (usedResetFallback ? ' (Toxiproxy reset used as fallback)' : ''),
    });
    if (ok) this.guard?.finish();
    // When something failed, the guard keeps its list and retries after this process exits.
    this.resolveDone();
    return { undone, ok, usedResetFallback };
  }
}

export function describeFault(fault: Fault): string {
  const timing = `at ${fault.atMs}ms${fault.forMs === undefined ? '' : ` for ${fault.forMs}ms`}`;
  switch (fault.kind) {
    case 'toxic': {
      const attrs = Object.entries(fault.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `${fault.toxic} ${attrs} stream=${fault.streams.join('+')} toxicity=${fault.toxicity} ${timing}`;
    }
    case 'link-down':
      return `link down ${timing}`;
    case 'link-up':
      return `link up ${timing}`;
    case 'process':
      return `${fault.action === 'kill' ? 'SIGKILL' : fault.action === 'pause' ? 'SIGSTOP' : 'restart'} ${timing}`;
    case 'netem':
      return `netem ${JSON.stringify(fault.netem)} ${timing}`;
  }
}
