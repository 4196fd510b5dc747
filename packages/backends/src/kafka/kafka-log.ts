/**
 * kafkajs logging routed to stderr at a chosen level, one line per entry, so a broker restart
 * is visible without kafkajs' JSON dumps drowning everything else.
 */
import { logLevel } from 'kafkajs';
import type { LogEntry, logCreator } from 'kafkajs';
import { BackendError } from '../errors.js';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Readonly<Record<KafkaLogLevel, logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

const LABELS: Readonly<Record<number, string>> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

/**
 * Messages that are expected by design here and would only mislead: the idempotent producer's
 * retries are bounded on purpose (a failed send replaces the producer, which resets its
 * sequence numbers, so the guarantee it warns about is kept another way).
 */
const EXPECTED = ['Limiting retries for the idempotent producer'];

/**
 * kafkajs logs at ERROR every error response it then retries (coordinator loading, leader
 * moving, unknown topic while it is created) and every failed connection attempt (a dozen per
 * second while a broker restarts). Those show at DEBUG only: a failure that outlives the
 * retries is reported by the call itself, and a consumer's crash and restart stay visible.
 */
function effectiveLevel(namespace: string, level: logLevel, message: string): logLevel {
  if (
    namespace === 'Connection' &&
    (message.startsWith('Response ') || message.startsWith('Connection error'))
  ) {
    return logLevel.DEBUG;
  }
  if (namespace === 'BrokerPool' && message.startsWith('Failed to connect to seed broker'))
    return logLevel.DEBUG;
  return level;
}

export function kafkaLogLevel(level: KafkaLogLevel): logLevel {
  const value = LEVELS[level];
  if (value === undefined) {
    throw new BackendError(
      'INVALID_ARGUMENT',
      `logLevel must be one of ${Object.keys(LEVELS).join(', ')}, got '${String(level)}'`,
    );
  }
  return value;
}

export function kafkaLogCreator(clientId: string): logCreator {
  return (configured) =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, error } = log as { message: string; error?: unknown };
      if (EXPECTED.some((text) => message.startsWith(text))) return;
      level = effectiveLevel(namespace, level, message);
      if (level > configured) return;
      const detail = typeof error === 'string' && error !== message ? `: ${error}` : '';
      console.error(`[kafka ${clientId}] ${LABELS[level] ?? level} ${namespace}: ${message}${detail}`);
    };
}
