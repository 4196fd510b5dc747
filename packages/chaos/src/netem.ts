/**
 * UDP faults for media (loss, delay, reorder, …): Toxiproxy is TCP only, so these use `tc netem`
 * on a veth pair into a network namespace this run creates. Whatever runs inside the namespace
 * (`ip netns exec <ns> …`) sees the impairment on every packet it sends and receives.
 * Needs root, `ip` and `tc` (Debian package iproute2), and the kernel's sch_netem module.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosError } from './errors.js';
import type { NetemParams } from './types.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What the capability check and the shaper need from the machine (replaceable in tests). */
export interface NetemSystem {
  uid(): number;
  /** Absolute path of a program on PATH (or the sbin folders), null when absent. */
  which(program: string): string | null;
  run(program: string, args: readonly string[], timeoutMs: number): Promise<CommandResult>;
}

const SEARCH = ['/usr/sbin', '/sbin', '/usr/bin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

export const systemNetem: NetemSystem = {
  uid: () => (typeof process.getuid === 'function' ? process.getuid() : -1),
  which(program) {
    const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), ...SEARCH];
    for (const dir of dirs) {
      const candidate = join(dir, program);
      if (existsSync(candidate)) return candidate;
    }
    return null;
  },
  run(program, args, timeoutMs) {
    return new Promise((resolve) => {
      execFile(program, [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error?.message ?? '') });
      });
    });
  },
};

export type NetemCapability = { ok: true } | { ok: false; reasons: string[] };

const CHECK_TIMEOUT_MS = 5000;

/**
 * Whether this machine can run netem faults: root, ip, tc, namespaces and sch_netem. The last two
 * are proven by doing it: a throw-away namespace gets a netem qdisc on its loopback.
 */
export async function checkNetemCapability(system: NetemSystem = systemNetem): Promise<NetemCapability> {
  const reasons: string[] = [];
  if (system.uid() !== 0)
    reasons.push('needs root (network namespaces and tc); run as root or in a privileged container');
  const ip = system.which('ip');
  const tc = system.which('tc');
  if (ip === null) reasons.push('`ip` not found (install the iproute2 package)');
  if (tc === null) reasons.push('`tc` not found (install the iproute2 package)');
  if (reasons.length > 0 || ip === null || tc === null) return { ok: false, reasons };
  const ns = `tlcap-${randomBytes(3).toString('hex')}`;
  const add = await system.run(ip, ['netns', 'add', ns], CHECK_TIMEOUT_MS);
  if (add.code !== 0)
    return { ok: false, reasons: [`cannot create a network namespace: ${add.stderr.trim()}`] };
  try {
    const qdisc = await system.run(
      ip,
      ['netns', 'exec', ns, tc, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'],
      CHECK_TIMEOUT_MS,
    );
    if (qdisc.code !== 0) {
      const why = qdisc.stderr.trim();
      return {
        ok: false,
        reasons: [
          /unknown/i.test(why)
            ? `the kernel has no netem queueing discipline (sch_netem module missing: \`modprobe sch_netem\` on the host): ${why}`
            : `tc netem failed: ${why}`,
        ],
      };
    }
    return { ok: true };
  } finally {
    await system.run(ip, ['netns', 'del', ns], CHECK_TIMEOUT_MS);
  }
}

/** Throws CHAOS_NETEM_UNAVAILABLE with every reason when netem faults cannot run here. */
export async function requireNetem(system: NetemSystem = systemNetem): Promise<void> {
  const capability = await checkNetemCapability(system);
  if (!capability.ok) {
    throw new ChaosError(
      'CHAOS_NETEM_UNAVAILABLE',
      `UDP (netem) faults cannot run on this machine: ${capability.reasons.join('; ')}.`,
    );
  }
}

/** `tc … netem` arguments for a set of impairments. */
export function netemArgs(p: NetemParams): string[] {
  const args: string[] = [];
  if (p.delayMs !== undefined) {
    args.push('delay', `${p.delayMs}ms`);
    if (p.jitterMs !== undefined) args.push(`${p.jitterMs}ms`);
  }
  if (p.lossPercent !== undefined) args.push('loss', `${p.lossPercent}%`);
  if (p.reorderPercent !== undefined) args.push('reorder', `${p.reorderPercent}%`);
  if (p.duplicatePercent !== undefined) args.push('duplicate', `${p.duplicatePercent}%`);
  if (p.corruptPercent !== undefined) args.push('corrupt', `${p.corruptPercent}%`);
  return args;
}

/** Interface names are at most 15 characters: derive short, stable ones from the namespace. */
function interfaceNames(ns: string): { host: string; inner: string; subnet: number } {
  let hash = 0;
  for (const ch of ns) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const tag = hash.toString(36).slice(0, 8);
  return { host: `tlh${tag}`, inner: `tln${tag}`, subnet: hash % 16_000 };
}

/** A namespace joined to the host by a veth pair, with netem applied on both ends. */
export class NetemNamespace {
  readonly name: string;
  readonly hostInterface: string;
  readonly innerInterface: string;
  /** 10.x.y.1 on the host side, 10.x.y.2 inside (/30). */
  readonly hostAddress: string;
  readonly innerAddress: string;
  private created = false;

  constructor(
    name: string,
    private readonly system: NetemSystem = systemNetem,
    private readonly timeoutMs = CHECK_TIMEOUT_MS,
  ) {
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(name)) {
      throw new ChaosError(
        'CHAOS_COMMAND_FAILED',
        `'${name}' is not a usable namespace name (letters, digits, _ . -).`,
      );
    }
    this.name = name;
    const names = interfaceNames(name);
    this.hostInterface = names.host;
    this.innerInterface = names.inner;
    const block = names.subnet * 4;
    const base = `10.${200 + Math.floor(block / 65_536)}.${Math.floor(block / 256) % 256}`;
    this.hostAddress = `${base}.${(block % 256) + 1}`;
    this.innerAddress = `${base}.${(block % 256) + 2}`;
  }

  /** The command prefix that runs a program inside the namespace. */
  execPrefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  /** Creates the namespace and its link; returns false when it already existed (then it is left alone at the end). */
  async create(): Promise<boolean> {
    const list = await this.ip(['netns', 'list'], false);
    if (list.stdout.split('\n').some((line) => line.split(' ')[0] === this.name)) return false;
    await this.ip(['netns', 'add', this.name]);
    this.created = true;
    await this.ip(['link', 'add', this.hostInterface, 'type', 'veth', 'peer', 'name', this.innerInterface]);
    await this.ip(['link', 'set', this.innerInterface, 'netns', this.name]);
    await this.ip(['addr', 'add', `${this.hostAddress}/30`, 'dev', this.hostInterface]);
    await this.ip(['link', 'set', this.hostInterface, 'up']);
    await this.ip([
      'netns',
      'exec',
      this.name,
      'ip',
      'addr',
      'add',
      `${this.innerAddress}/30`,
      'dev',
      this.innerInterface,
    ]);
    await this.ip(['netns', 'exec', this.name, 'ip', 'link', 'set', this.innerInterface, 'up']);
    await this.ip(['netns', 'exec', this.name, 'ip', 'link', 'set', 'lo', 'up']);
    await this.ip(['netns', 'exec', this.name, 'ip', 'route', 'add', 'default', 'via', this.hostAddress]);
    return true;
  }

  async apply(params: NetemParams): Promise<void> {
    const args = netemArgs(params);
    await this.tc(['qdisc', 'replace', 'dev', this.hostInterface, 'root', 'netem', ...args]);
    await this.tc(['qdisc', 'replace', 'dev', this.innerInterface, 'root', 'netem', ...args], true);
  }

  async clear(): Promise<void> {
    await this.tc(['qdisc', 'del', 'dev', this.hostInterface, 'root'], false, false);
    await this.tc(['qdisc', 'del', 'dev', this.innerInterface, 'root'], true, false);
  }

  /** Deletes the namespace (and with it the veth pair) if this object created it. */
  async destroy(): Promise<void> {
    if (!this.created) return;
    await this.ip(['netns', 'del', this.name], false);
    this.created = false;
  }

  private async ip(args: string[], check = true): Promise<CommandResult> {
    const ip = this.system.which('ip');
    if (ip === null) throw new ChaosError('CHAOS_NETEM_UNAVAILABLE', '`ip` not found (install iproute2).');
    const result = await this.system.run(ip, args, this.timeoutMs);
    if (check && result.code !== 0) {
      throw new ChaosError('CHAOS_COMMAND_FAILED', `ip ${args.join(' ')}: ${result.stderr.trim()}`);
    }
    return result;
  }

  private async tc(args: string[], inside = false, check = true): Promise<void> {
    const tc = this.system.which('tc');
    const ip = this.system.which('ip');
    if (tc === null || ip === null)
      throw new ChaosError('CHAOS_NETEM_UNAVAILABLE', '`tc`/`ip` not found (install iproute2).');
    const [program, fullArgs] = inside ? [ip, ['netns', 'exec', this.name, tc, ...args]] : [tc, args];
    const result = await this.system.run(program, fullArgs, this.timeoutMs);
    if (check && result.code !== 0) {
      throw new ChaosError('CHAOS_COMMAND_FAILED', `tc ${args.join(' ')}: ${result.stderr.trim()}`);
    }
  }
}
