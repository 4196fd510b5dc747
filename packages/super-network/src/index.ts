export { SubmitError } from './types.js';
export type {
  SmsEncoding,
  OutboundSms,
  SubmitResult,
  ReceiptStatus,
  DeliveryReceipt,
  InboundSms,
  HandsetMessage,
  HandsetService,
  CarrierStatus,
  SuperNetwork,
} from './types.js';
export { createSuperNetwork } from './super-network.js';
export type {
  SuperNetworkOptions,
  RunningSuperNetwork,
  CarrierAddress,
  SuperNetworkLog,
} from './super-network.js';
export { startSuperNetworkThread } from './super-network-thread.js';
export type { ThreadedSuperNetwork, SuperNetworkThreadOptions } from './super-network-thread.js';
export { CarrierConfigSchema, loadCarriersFile, validateCarriers } from './carrier-config.js';
export type { CarrierConfig, CarrierOutcomes } from './carrier-config.js';
export { defaultCarriers } from './default-carriers.js';
export type { CarrierProfile } from './default-carriers.js';
export { CarrierSimulator } from './carrier-simulator.js';
export type { CarrierCounters, CarrierSimulatorOptions } from './carrier-simulator.js';
export { CarrierJournal } from './carrier-journal.js';
export type {
  CarrierJournalOptions,
  JournaledMessage,
  JournaledOutcome,
  OpenedJournal,
  PendingMessage,
} from './carrier-journal.js';
export { SmppRoute, RouteError } from './smpp-route.js';
export type { SmppRouteOptions, RouteFailure, RouteReceipt, ReceiptTarget } from './smpp-route.js';
export { HandsetRegistry } from './handset-registry.js';
export type { HandsetWatcher } from './handset-registry.js';
export { SuperNetworkError } from './errors.js';
export type { SuperNetworkErrorCode } from './errors.js';
export { encodeBody, isGsm7 } from './sms-codec.js';
export { formatReceipt, receiptDate, parseReceipt, receiptOutcome } from './receipt.js';
