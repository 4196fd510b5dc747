/** Small readers for a flow's `with` block that fail with the offending path. */
import { BenchRuntimeError } from '../errors.js';

function invalid(path: string, what: string): never {
  throw new BenchRuntimeError('FLOW_INVALID', `${path}: ${what}`, path);
}

export function optionalString(
  params: Record<string, unknown>,
  key: string,
  path: string,
): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(`${path}.${key}`, 'must be a string');
  return value;
}

export function optionalNumber(
  params: Record<string, unknown>,
  key: string,
  path: string,
): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    invalid(`${path}.${key}`, 'must be a non-negative number');
  return value;
}

export function optionalStringList(
  params: Record<string, unknown>,
  key: string,
  path: string,
): string[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
    return value as string[];
  return invalid(`${path}.${key}`, 'must be a string or a non-empty list of strings');
}

export function optionalRecord(
  params: Record<string, unknown>,
  key: string,
  path: string,
): Record<string, string> | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(`${path}.${key}`, 'must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      invalid(`${path}.${key}.${k}`, 'must be a string');
    out[k] = String(v);
  }
  return out;
}

export function rejectUnknown(params: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) invalid(`${path}.${key}`, `unknown key (expected one of ${known.join(', ')})`);
  }
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
