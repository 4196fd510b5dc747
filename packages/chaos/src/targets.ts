/**
 * Target names and globs: 'us1.cell-*.postgres', 'us1->eu1', 'us1.super-network->carrier-*'.
 * `*` matches any run of characters (including none), `?` exactly one; everything else is literal.
 * Links are the proxies Toxiproxy lists (a proxy's name IS the link name); processes come from
 * the caller's ProcessRegistry.
 */
import { ChaosError } from './errors.js';

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Compiled once per fault (not on a hot path, but no reason to rebuild it per resolution). */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (!isGlob(pattern)) return (name) => name === pattern;
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`);
  return (name) => re.test(name);
}

export type TargetKind = 'link' | 'process' | 'namespace';

const WHERE: Readonly<Record<TargetKind, string>> = {
  link: 'Toxiproxy proxies',
  process: 'registered processes',
  namespace: 'network namespaces created by this run',
};

const HINT: Readonly<Record<TargetKind, string>> = {
  link:
    'Links are the proxies of the Toxiproxy in use; a topology (`twilio-lab up -t …`) creates one per link. ' +
    'Without a topology, create the proxy yourself or run the experiment against one.',
  process:
    'Processes come from a running topology (`twilio-lab up -t …`); the embedded lab has none that chaos may signal.',
  namespace:
    'netem faults shape a namespace this run creates; name it in the fault and run the UDP workload inside it.',
};

/** The names matching `pattern`; throws CHAOS_TARGET_NOT_FOUND naming what was looked for and what exists. */
export function resolveTarget(
  kind: TargetKind,
  pattern: string,
  available: readonly string[],
  faultLabel: string,
): string[] {
  const matches = available.filter(globMatcher(pattern));
  if (matches.length > 0) return matches;
  const known =
    available.length === 0
      ? 'there are none'
      : `known: ${available.slice(0, 20).join(', ')}${available.length > 20 ? ', …' : ''}`;
  throw new ChaosError(
    'CHAOS_TARGET_NOT_FOUND',
    `${faultLabel}: no ${kind} matches '${pattern}' among the ${WHERE[kind]} (${known}). ${HINT[kind]}`,
  );
}
