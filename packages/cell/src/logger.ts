/**
 * Structured JSON-lines logger: one object per line with time, level, name, msg and the
 * caller's fields. Levels below the configured one are no-op functions, so a silent logger
 * costs a call and nothing else (no serialisation, no Date).
 */
import type { Writable } from 'node:stream';
import type { Logger } from './types.js';

export type LogLevelSetting = 'silent' | 'info' | 'debug';

export interface LoggerOptions {
  level: LogLevelSetting;
  name: string;
  /** Where lines go; process.stderr when absent. */
  stream?: Writable;
}

type LineLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Readonly<Record<LogLevelSetting | LineLevel, number>> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: Number.POSITIVE_INFINITY,
};

function noop(): void {}

/** Errors do not serialise with JSON.stringify (their fields are not enumerable). */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.stack !== undefined) out.stack = value.stack;
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level];
  const stream = options.stream ?? process.stderr;
  const name = options.name;

  const emitterFor = (level: LineLevel) => {
    if (RANK[level] < threshold) return noop;
    return (fields: object, msg?: string): void => {
      let line: string;
      try {
        line = JSON.stringify(
          { time: new Date().toISOString(), level, name, msg: msg ?? '', fields },
          jsonReplacer,
        );
      } catch {
        // Cyclic or otherwise unserialisable fields must not take the caller down.
        line = JSON.stringify({
          time: new Date().toISOString(),
          level,
          name,
          msg: msg ?? '',
          fields: '[unserialisable]',
        });
      }
      stream.write(line + '\n');
    };
  };

  return {
    debug: emitterFor('debug'),
    info: emitterFor('info'),
    warn: emitterFor('warn'),
    error: emitterFor('error'),
  };
}
