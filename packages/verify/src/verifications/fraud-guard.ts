import { countryOf, twilioError } from '@twilio-lab/core';
import type { Cache } from '@twilio-lab/backends';
import type { ResolvedFraudGuard } from '../options.js';

/**
 * The lab's Fraud Guard: a blocked-prefix list and two velocity limits (per service, per
 * destination country). Defaults sit far above any benchmark so it only trips when a test or
 * an experiment configures it to.
 */
export class FraudGuard {
  constructor(
    private readonly cache: Cache,
    private readonly config: ResolvedFraudGuard,
  ) {}

  async admit(serviceSid: string, to: string, phone: boolean): Promise<void> {
    if (phone) {
      for (const prefix of this.config.blockedPrefixes) {
        if (to.startsWith(prefix)) throw blocked(`destination prefix ${prefix} is blocked by Fraud Guard`);
      }
    }
    const perService = await this.cache.takeToken(
      `verify:fraud:service:${serviceSid}`,
      this.config.perServicePerSec,
      this.config.perServiceBurst,
    );
    if (!perService.ok) throw blocked('too many verifications for this service', perService.retryAfterMs);
    if (!phone) return;
    // Unknown calling codes fall back to the first digits, which still groups a pumping run.
    const country = countryOf(to) ?? to.slice(0, 4);
    const perCountry = await this.cache.takeToken(
      `verify:fraud:country:${serviceSid}:${country}`,
      this.config.perPrefixPerSec,
      this.config.perPrefixBurst,
    );
    if (!perCountry.ok) throw blocked(`too many verifications to ${country}`, perCountry.retryAfterMs);
  }
}

function blocked(why: string, retryAfterMs?: number): Error {
  return twilioError(60410, `Verification delivery attempt blocked: ${why}`, {
    headers:
      retryAfterMs === undefined
        ? {}
        : { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}
