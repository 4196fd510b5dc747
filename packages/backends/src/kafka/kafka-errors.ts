/**
 * Turns kafkajs failures into BackendErrors whose message says plainly whether the broker
 * could not be reached (the common case during a broker restart) or what else went wrong.
 */
import { BackendError } from '../errors.js';
import type { BackendErrorCode } from '../errors.js';

/**
 * Every Kafka failure the queue surfaces means "the log cannot take or give this now" (the
 * message says whether the broker was unreachable or what else failed): callers answer 503.
 */
export const UNAVAILABLE_CODE: BackendErrorCode = 'QUEUE_UNAVAILABLE';

/**
 * kafkajs error names that mean no broker answered (refused, reset, timed out, none known).
 * KafkaJSNumberOfRetriesExceeded is not one: it wraps whatever was retried, found in the chain.
 */
const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  type?: unknown;
}

/** Walks kafkajs' cause chain (it wraps retries in KafkaJSNumberOfRetriesExceeded). */
function causes(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 10) {
    const link = current as ErrorLike;
    chain.push(link);
    current = link.cause ?? link.originalError;
  }
  return chain;
}

export function isBrokerUnreachable(error: unknown): boolean {
  return causes(error).some((link) => UNREACHABLE_NAMES.has(String(link.name)));
}

/** The kafkajs protocol error type (e.g. 'UNKNOWN_TOPIC_OR_PARTITION') anywhere in the chain. */
export function kafkaErrorType(error: unknown): string | undefined {
  for (const link of causes(error)) if (typeof link.type === 'string') return link.type;
  return undefined;
}

function describe(error: unknown): string {
  const chain = causes(error);
  if (chain.length === 0) return String(error);
  const innermost = chain[chain.length - 1]!;
  return String(innermost.message ?? innermost.name ?? error);
}

/** What failed (`doing`) and why, as a BackendError the caller can branch on. */
export function toBackendError(error: unknown, doing: string, brokers: readonly string[]): BackendError {
  if (error instanceof BackendError) return error;
  if (isBrokerUnreachable(error)) {
    return new BackendError(
      UNAVAILABLE_CODE,
      `Kafka broker unreachable at ${brokers.join(',')} while ${doing} ` +
        `(is Kafka running? \`npx twilio-lab infra start\`): ${describe(error)}`,
      { cause: error },
    );
  }
  return new BackendError(UNAVAILABLE_CODE, `Kafka failed while ${doing}: ${describe(error)}`, {
    cause: error,
  });
}
