/**
 * What Verify records (docs/METRICS.md, verify families), when its cell context carries a
 * registry. Series are resolved once per channel and outcome; a request's channel is only a
 * label once it is one of the four known channels (anything else a client sends is 'unknown').
 */
import { TwilioError } from '@twilio-lab/core';
import { verifyMetrics } from '@twilio-lab/metrics';
import type { CounterChild, HistogramChild, Registry, VerifyMetrics } from '@twilio-lab/metrics';
import type { VerifyChannel } from './options.js';

const CHANNELS: readonly VerifyChannel[] = ['sms', 'call', 'email', 'whatsapp'];
const UNKNOWN_CHANNEL = 'unknown';
/** Start outcomes: created, refused by a limit, refused as invalid, or failed on our side. */
export type StartOutcome = 'created' | 'rate_limited' | 'invalid' | 'error';
const START_OUTCOMES: readonly StartOutcome[] = ['created', 'rate_limited', 'invalid', 'error'];
export type CheckOutcome = 'approved' | 'pending' | 'expired' | 'max_attempts' | 'not_found';
const CHECK_OUTCOMES: readonly CheckOutcome[] = [
  'approved',
  'pending',
  'expired',
  'max_attempts',
  'not_found',
];
/** Fraud guard blocks (60410) are limits too, not bad input. */
const BLOCKED = 60410;

/** Outcome of a start that threw `err`. */
export function startFailureOutcome(err: unknown): StartOutcome {
  if (!(err instanceof TwilioError)) return 'error';
  if (err.status === 429 || err.code === BLOCKED) return 'rate_limited';
  return err.status >= 500 ? 'error' : 'invalid';
}

export class VerifyRecorder {
  private readonly starts = new Map<string, Map<StartOutcome, CounterChild>>();
  private readonly checkChildren = new Map<CheckOutcome, CounterChild>();
  private readonly approveTimes = new Map<string, HistogramChild>();

  constructor(families: VerifyMetrics) {
    for (const channel of [...CHANNELS, UNKNOWN_CHANNEL]) {
      const byOutcome = new Map<StartOutcome, CounterChild>();
      for (const outcome of START_OUTCOMES) {
        byOutcome.set(outcome, families.verifications.child({ channel, outcome }));
      }
      this.starts.set(channel, byOutcome);
      this.approveTimes.set(channel, families.timeToApprove.child({ channel }));
    }
    for (const outcome of CHECK_OUTCOMES) this.checkChildren.set(outcome, families.checks.child({ outcome }));
  }

  /** A start request ended with `outcome`; `channel` is what the client asked for (maybe nothing valid). */
  start(channel: string | undefined, outcome: StartOutcome): void {
    const byOutcome = this.starts.get(channel ?? UNKNOWN_CHANNEL) ?? this.starts.get(UNKNOWN_CHANNEL);
    byOutcome?.get(outcome)?.inc();
  }

  check(outcome: CheckOutcome): void {
    this.checkChildren.get(outcome)?.inc();
  }

  /** A verification was approved `seconds` after it was created. */
  approved(channel: string, seconds: number): void {
    this.approveTimes.get(channel)?.observe(seconds);
  }
}

const recorders = new WeakMap<Registry, VerifyRecorder>();

/** The recorder of a registry (shared by every Verify module instance on it); none without one. */
export function verifyRecorder(registry: Registry | undefined): VerifyRecorder | undefined {
  if (registry === undefined) return undefined;
  let recorder = recorders.get(registry);
  if (recorder === undefined) {
    recorder = new VerifyRecorder(verifyMetrics(registry));
    recorders.set(registry, recorder);
  }
  return recorder;
}
