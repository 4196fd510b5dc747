import type { CellContext, ProductModule, RouteDef } from '@twilio-lab/cell';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_FRAUD_GUARD,
  DEFAULT_MAX_CHECKS,
  DEFAULT_MAX_SENDS,
  DEFAULT_VALIDITY_MS,
} from './options.js';
import type { VerifyOptions } from './options.js';
import { rateLimitRoutes } from './rate-limits/routes.js';
import { VERIFY_MIGRATIONS } from './schema.js';
import { serviceRoutes } from './services/routes.js';
import { CodeBook } from './verifications/codes.js';
import { FraudGuard } from './verifications/fraud-guard.js';
import { verificationRoutes } from './verifications/routes.js';
import { VerificationState } from './verifications/state.js';

/**
 * Verify v2: services and their rate limits in the store; verifications (code hash, counters,
 * expiry) in the cache, so every cell sharing the cache can check them. Codes leave the lab
 * only through the channel ports in the options.
 */
export function verifyModule(options: VerifyOptions = {}): ProductModule {
  // One secret per module instance, so resends repeat the code for the module's lifetime.
  const codes = new CodeBook(options.codeSecret);
  return {
    name: 'verify',
    migrations: VERIFY_MIGRATIONS,
    routes(ctx: CellContext): RouteDef[] {
      const now = options.now ?? (() => ctx.now());
      const channels =
        typeof options.channels === 'function' ? options.channels(ctx) : (options.channels ?? {});
      const fg = options.fraudGuard === false ? null : (options.fraudGuard ?? {});
      const guard =
        fg === null
          ? null
          : new FraudGuard(ctx.cache, {
              perServicePerSec: fg.perServicePerSec ?? DEFAULT_FRAUD_GUARD.perServicePerSec,
              perServiceBurst: fg.perServiceBurst ?? DEFAULT_FRAUD_GUARD.perServiceBurst,
              perPrefixPerSec: fg.perPrefixPerSec ?? DEFAULT_FRAUD_GUARD.perPrefixPerSec,
              perPrefixBurst: fg.perPrefixBurst ?? DEFAULT_FRAUD_GUARD.perPrefixBurst,
              blockedPrefixes: fg.blockedPrefixes ?? DEFAULT_FRAUD_GUARD.blockedPrefixes,
            });
      return [
        ...serviceRoutes(ctx, now),
        ...verificationRoutes({
          ctx,
          state: new VerificationState(ctx.cache, now),
          codes,
          guard,
          channels,
          lineType: options.lineType,
          now,
          validityMs: options.validityMs ?? DEFAULT_VALIDITY_MS,
          maxSends: options.maxSends ?? DEFAULT_MAX_SENDS,
          maxChecks: options.maxChecks ?? DEFAULT_MAX_CHECKS,
          deliveryTimeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
        }),
        ...rateLimitRoutes(ctx, now),
      ];
    },
  };
}
