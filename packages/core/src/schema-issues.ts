/**
 * Schema checks that speak to people: TypeBox validation turned into one issue per failing
 * place, each with a path ('scenarios.storm.stages[1].target') and a message (with a "did you
 * mean" for misspelt keys). Shared by every file format the project reads (bench scenarios,
 * chaos experiments, topologies).
 */
import { ValueErrorType } from '@sinclair/typebox/errors';
import type { ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
/** A location inside a parsed document: object keys and array indices from the root. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** ['scenarios', 'storm', 'stages', 1, 'target'] -> 'scenarios.storm.stages[1].target'. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out.length === 0 ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Turns a TypeBox JSON pointer ('/scenarios/storm/stages/1') into segments, reading `root` to
 * tell array indices from object keys that merely look numeric.
 */
export function pointerToSegments(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const segments: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      segments.push(Number(key));
      node = node[Number(key)];
    } else {
      segments.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}

/** An issue before it is given a printable path and a file position. */
export interface RawIssue {
  segments: PathSegment[];
  message: string;
}

/**
 * Checks `value` (found at `at` inside the file) against `schema`, appending one issue per
 * failing location with a message written for people. Returns whether it passed.
 */
export function checkShape(
  schema: TSchema,
  value: unknown,
  at: readonly PathSegment[],
  issues: RawIssue[],
): boolean {
  if (Value.Check(schema, value)) return true;
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    // TypeBox reports a missing key twice (required, then wrong type): keep the first per place.
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    issues.push({ segments: [...at, ...pointerToSegments(error.path, value)], message: describe(error) });
  }
  return false;
}

interface SchemaFacts {
  errorMessage?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minProperties?: number;
  minLength?: number;
  pattern?: string;
  const?: unknown;
  anyOf?: SchemaFacts[];
  properties?: Record<string, unknown>;
  type?: string;
}

function describe(error: ValueError): string {
  const schema = error.schema as SchemaFacts;
  if (schema.errorMessage !== undefined && error.type !== ValueErrorType.ObjectRequiredProperty) {
    return schema.errorMessage;
  }
  switch (error.type) {
    case ValueErrorType.Number:
      return `expected a number, got ${show(error.value)}`;
    case ValueErrorType.Integer:
      return `expected a whole number, got ${show(error.value)}`;
    case ValueErrorType.String:
      return `expected a string, got ${show(error.value)}`;
    case ValueErrorType.Boolean:
      return `expected true or false, got ${show(error.value)}`;
    case ValueErrorType.Object:
      return `expected a mapping, got ${show(error.value)}`;
    case ValueErrorType.Array:
      return `expected a list, got ${show(error.value)}`;
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return unknownKey(error);
    case ValueErrorType.Literal:
      return `expected ${show(schema.const)}, got ${show(error.value)}`;
    case ValueErrorType.Union:
      return unionMessage(schema, error.value);
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${schema.minimum}, got ${show(error.value)}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${schema.maximum}, got ${show(error.value)}`;
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `must be greater than ${schema.exclusiveMinimum}, got ${show(error.value)}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}`;
    case ValueErrorType.ObjectMinProperties:
      return `must have at least ${schema.minProperties} ${schema.minProperties === 1 ? 'entry' : 'entries'}`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`;
    case ValueErrorType.StringPattern:
      return `${show(error.value)} does not match ${schema.pattern}`;
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}

function unknownKey(error: ValueError): string {
  const key = error.path
    .slice(error.path.lastIndexOf('/') + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
  const known = Object.keys((error.schema as SchemaFacts).properties ?? {});
  const suggestion = closest(key, known);
  return suggestion === undefined ? 'unknown key' : `unknown key (did you mean '${suggestion}'?)`;
}

function unionMessage(schema: SchemaFacts, value: unknown): string {
  const members = schema.anyOf ?? [];
  if (members.length > 0 && members.every((m) => m.const !== undefined)) {
    const options = members.map((m) => String(m.const));
    const suggestion = typeof value === 'string' ? closest(value, options) : undefined;
    const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
    return `expected one of ${options.join(', ')}; got ${show(value)}${hint}`;
  }
  const kinds = [...new Set(members.map(kindOf))];
  return `expected ${kinds.join(' or ')}, got ${show(value)}`;
}

function kindOf(schema: SchemaFacts): string {
  switch (schema.type) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    default:
      return 'a value of another shape';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  return String(value);
}

/** The candidate within edit distance 2 (or equal ignoring case), for 'did you mean' hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
