import type { CellContext } from '@twilio-lab/cell';

/** The channels this lab can deliver a code over (when a port is wired for them). */
export type VerifyChannel = 'sms' | 'call' | 'email' | 'whatsapp';

/** One code to deliver: what a channel port receives. */
export interface Delivery {
  accountSid: string;
  serviceSid: string;
  verificationSid: string;
  /** E.164 number, or an e-mail address for the email channel. */
  to: string;
  code: string;
  /** The localized text, e.g. "Your Acme verification code is: 123456", plus the do-not-share warning when enabled. */
  body: string;
  locale: string;
  channel: VerifyChannel;
}

/** A delivery port. Resolving means the channel accepted the code; throwing fails the start (503 20503). */
export type DeliveryPort = (delivery: Delivery) => Promise<void>;

export type VerifyChannels = Partial<Record<VerifyChannel, DeliveryPort>>;

/** What the lab knows of a number's line (Lookup's line_type_intelligence vocabulary, trimmed). */
export type LineType = 'mobile' | 'landline' | 'fixedVoip' | 'nonFixedVoip' | 'tollFree' | 'unknown';

export interface FraudGuardOptions {
  /** Verification starts per second per service (token bucket refill). Default 10,000. */
  perServicePerSec?: number;
  /** Bucket capacity per service. Default 20,000. */
  perServiceBurst?: number;
  /** Starts per second per destination country (phone channels). Default 5,000. */
  perPrefixPerSec?: number;
  /** Bucket capacity per destination country. Default 10,000. */
  perPrefixBurst?: number;
  /** E.164 prefixes ('+882', '+4470') whose numbers are always refused with 60410. Default none. */
  blockedPrefixes?: readonly string[];
}

export interface VerifyOptions {
  /**
   * Delivery ports, or a function that builds them once the cell context exists (so a port
   * can reach, say, the cell's messaging pipeline). A channel without a port answers 60200.
   */
  channels?: VerifyChannels | ((ctx: CellContext) => VerifyChannels);
  /** The line type of a number, for SkipSmsToLandlines and the `lookup` field. Absent: every number is mobile. */
  lineType?: (to: string) => Promise<LineType> | LineType;
  /** Clock in epoch ms. Default: the cell context's clock. */
  now?: () => number;
  /** How long a verification stays pending, in ms. Default 600,000 (10 minutes). */
  validityMs?: number;
  /** Sends (first start + resends) allowed per verification. Default 5. */
  maxSends?: number;
  /** Checks allowed per verification. Default 5. */
  maxChecks?: number;
  /**
   * Secret the codes are derived from (HMAC of the verification SID), so a resend repeats the
   * code without the code ever being stored. Cells sharing a cache must share this secret.
   * Default: random per process.
   */
  codeSecret?: string;
  /** Fraud guard velocity limits and blocked prefixes; `false` turns it off. */
  fraudGuard?: FraudGuardOptions | false;
  /** Longest a delivery port may take before the start fails with 503. Default 10,000 ms. */
  deliveryTimeoutMs?: number;
}

export interface ResolvedFraudGuard {
  perServicePerSec: number;
  perServiceBurst: number;
  perPrefixPerSec: number;
  perPrefixBurst: number;
  blockedPrefixes: readonly string[];
}

export const DEFAULT_FRAUD_GUARD: ResolvedFraudGuard = {
  perServicePerSec: 10_000,
  perServiceBurst: 20_000,
  perPrefixPerSec: 5_000,
  perPrefixBurst: 10_000,
  blockedPrefixes: [],
};

export const DEFAULT_VALIDITY_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_SENDS = 5;
export const DEFAULT_MAX_CHECKS = 5;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
