import { Value } from '@sinclair/typebox/value';
import type { Static, TSchema } from '@sinclair/typebox';

export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';

export interface ConfigIssue {
  /** JSON pointer into the value, '' for the root (e.g. '/carriers/0/port'). */
  path: string;
  message: string;
}

export type ValidationResult<T extends TSchema> =
  { ok: true; value: Static<T> } | { ok: false; errors: ConfigIssue[] };

/**
 * Checks `value` against `schema` after filling in defaults. The input is not mutated.
 * Unknown keys are errors because schemas declare `additionalProperties: false`.
 */
export function validate<T extends TSchema>(schema: T, value: unknown): ValidationResult<T> {
  const withDefaults: unknown = Value.Default(schema, Value.Clone(value));
  if (Value.Check(schema, withDefaults)) return { ok: true, value: withDefaults };
  const errors: ConfigIssue[] = [];
  for (const error of Value.Errors(schema, withDefaults)) {
    errors.push({ path: error.path, message: error.message });
  }
  return { ok: false, errors };
}

/** A config or scenario file that did not validate; lists every issue with its path. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly errors: ConfigIssue[];
  /** Where the value came from (a file name, 'flags', …). */
  readonly source: string;

  constructor(source: string, errors: ConfigIssue[]) {
    super(
      `Invalid configuration in ${source}:\n` +
        errors.map((e) => `  ${source} ${e.path === '' ? '/' : e.path}: ${e.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.source = source;
    this.errors = errors;
  }
}
