import type { Registry } from 'prom-client';

const built = new WeakMap<Registry, Map<string, unknown>>();

/**
 * Builds a set of families once per registry: every part of a process that asks for, say,
 * `webhookMetrics(registry)` shares the same series instead of failing on a duplicate name.
 */
export function oncePerRegistry<T>(registry: Registry, key: string, build: () => T): T {
  let sets = built.get(registry);
  if (sets === undefined) {
    sets = new Map();
    built.set(registry, sets);
  }
  if (sets.has(key)) return sets.get(key) as T;
  const value = build();
  sets.set(key, value);
  return value;
}
