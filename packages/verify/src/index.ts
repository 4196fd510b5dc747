/** @twilio-lab/verify — Twilio Verify v2 as a cell product module. */
export { verifyModule } from './module.js';
export { VERIFY_MIGRATIONS } from './schema.js';
export {
  DEFAULT_FRAUD_GUARD,
  DEFAULT_MAX_CHECKS,
  DEFAULT_MAX_SENDS,
  DEFAULT_VALIDITY_MS,
  DEFAULT_DELIVERY_TIMEOUT_MS,
} from './options.js';
export type {
  Delivery,
  DeliveryPort,
  FraudGuardOptions,
  LineType,
  VerifyChannel,
  VerifyChannels,
  VerifyOptions,
} from './options.js';
