/**
 * @twilio-lab/messaging: Programmable Messaging (Messages, Media, Messaging Services, the
 * sending pipeline, inbound messages) and IncomingPhoneNumbers, as cell product modules.
 */
export { messagingModule } from './module.js';
export type { MessagingModule, MessagingOptions } from './module.js';
export { numbersModule } from './numbers/module.js';
export { findNumber, findNumberByE164 } from './numbers/repo.js';
export type { NumberRow } from './numbers/schema.js';
export { OUTBOUND_TOPIC } from './pipeline/outbox.js';
export { messagesPerSecond, senderKind } from './pipeline/throughput.js';
export type { SenderKind } from './pipeline/throughput.js';
export { messageStatusCounts, MESSAGE_STATUSES } from './messages/stats.js';
