import { twilioError } from '@twilio-lab/core';
import type { FormParams } from '@twilio-lab/core';
import type { RouteContext } from '@twilio-lab/cell';
import { notFound } from '@twilio-lab/core';

/** Verify answers a bad value with its own "Invalid parameter" code, naming the parameter. */
export function invalid(name: string, why?: string): Error {
  return twilioError(
    60200,
    why === undefined ? `Invalid parameter: ${name}` : `Invalid parameter: ${name}: ${why}`,
  );
}

export function missing(name: string): Error {
  return twilioError(20001, `Missing required parameter ${name} in the post body`);
}

const TRUE_WORDS = new Set(['true', 'True', 'TRUE', '1']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', '0']);

/** The SDK sends booleans as 'true'/'false'. */
export function parseBoolean(form: FormParams, name: string): boolean | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw invalid(name, 'expected true or false');
}

export function parseInteger(form: FormParams, name: string, min: number, max: number): number | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** A string parameter bounded in length ('' allowed only when minLength is 0). */
export function parseString(
  form: FormParams,
  name: string,
  minLength: number,
  maxLength: number,
): string | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  if (raw.length < minLength || raw.length > maxLength) {
    throw invalid(name, `expected ${minLength} to ${maxLength} characters`);
  }
  return raw;
}

/** A path parameter the route pattern guarantees. */
export function param(rc: RouteContext, name: string): string {
  const value = rc.params[name];
  if (value === undefined) throw notFound(rc.req.path);
  return value;
}
