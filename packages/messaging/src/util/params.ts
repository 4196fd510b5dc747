import { twilioError } from '@twilio-lab/core';
import type { FormParams } from '@twilio-lab/core';

/** A form value, or undefined when the parameter is absent. */
export function optional(form: FormParams, name: string): string | undefined {
  return form.get(name);
}

const TRUE_WORDS = new Set(['true', 'True', 'TRUE', '1']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', '0']);

/** The SDK sends booleans as the strings 'true'/'false'; anything else is a client error. */
export function parseBoolean(form: FormParams, name: string): boolean | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw twilioError(20001, `Invalid value for '${name}': expected true or false`);
}

/** Webhook methods: case-insensitive GET/POST, normalised to upper case. */
export function parseMethod(form: FormParams, name: string): 'GET' | 'POST' | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (upper === 'GET' || upper === 'POST') return upper;
  throw twilioError(20001, `Invalid value for '${name}': expected GET or POST`);
}

/** An absolute http(s) URL, or '' (which clears a webhook). */
export function parseWebhookUrl(form: FormParams, name: string): string | undefined {
  const raw = form.get(name);
  if (raw === undefined || raw === '') return raw;
  if (!isHttpUrl(raw))
    throw twilioError(20001, `Invalid value for '${name}': '${raw}' is not an absolute http(s) URL`);
  return raw;
}

export function parseInteger(form: FormParams, name: string, min: number, max: number): number | undefined {
  const raw = form.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw twilioError(20001, `Invalid value for '${name}': expected an integer from ${min} to ${max}`);
  }
  return value;
}

export function isHttpUrl(value: string): boolean {
  if (!value.startsWith('http://') && !value.startsWith('https://')) return false;
  return URL.canParse(value);
}
