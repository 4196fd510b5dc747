/** The Kafka Queue adapter (kafkajs). Loaded lazily by the package index, so kafkajs stays optional. */
export { openKafkaQueue } from './kafka-queue.js';
export type { KafkaQueue, KafkaQueueOptions } from './kafka-queue.js';
export type { KafkaLogLevel } from './kafka-log.js';
export type { PublishStats } from './publish-coalescer.js';
export type { HandlerErrorListener } from './kafka-subscription.js';
