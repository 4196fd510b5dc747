/**
 * The metric families of the packages other than the gateway (messaging, its queues and
 * senders, the carriers, webhooks, Verify). Defined here, once, so that names and label sets
 * follow one scheme; each package calls its function with the process's registry and keeps
 * the children it updates on hot paths. Label values are listed in docs/METRICS.md.
 */
import type { Registry } from 'prom-client';
import { IO_DURATION_BUCKETS, PIPELINE_DURATION_BUCKETS } from './buckets.js';
import { CounterFamily, GaugeFamily, HistogramFamily } from './families.js';
import { oncePerRegistry } from './memo.js';
import { METRIC_PREFIX as P } from './registry.js';

export interface MessagingMetrics {
  /** twilio_lab_messages_accepted_total{direction,tier}: rows created (outbound-api 201s, inbound receipts). */
  accepted: CounterFamily<'direction' | 'tier'>;
  /** twilio_lab_message_accept_to_durable_seconds: request accepted → its row committed (group commit included). */
  acceptToDurable: HistogramFamily;
  /** twilio_lab_message_status_transitions_total{status}: every status a message enters. */
  statusTransitions: CounterFamily<'status'>;
  /** twilio_lab_message_end_to_end_seconds{outcome}: accepted → terminal status (delivered, undelivered, failed). */
  endToEnd: HistogramFamily<'outcome'>;
}

export function messagingMetrics(registry: Registry): MessagingMetrics {
  return oncePerRegistry(registry, 'messaging', () => ({
    accepted: new CounterFamily({
      name: `${P}messages_accepted_total`,
      help: 'Messages created: outbound-api requests answered 201, and inbound messages received.',
      labelNames: ['direction', 'tier'],
    }).register(registry),
    acceptToDurable: new HistogramFamily({
      name: `${P}message_accept_to_durable_seconds`,
      help: 'From accepting a Messages.json request to its row being durable in the store.',
      buckets: IO_DURATION_BUCKETS,
    }).register(registry),
    statusTransitions: new CounterFamily({
      name: `${P}message_status_transitions_total`,
      help: 'Message status changes, by the status entered.',
      labelNames: ['status'],
    }).register(registry),
    endToEnd: new HistogramFamily({
      name: `${P}message_end_to_end_seconds`,
      help: 'From acceptance to a terminal status.',
      labelNames: ['outcome'],
      buckets: PIPELINE_DURATION_BUCKETS,
    }).register(registry),
  }));
}

export interface SenderMetrics {
  /** twilio_lab_sender_sent_total{sender_kind}: messages handed to a carrier. */
  sent: CounterFamily<'sender_kind'>;
  /** twilio_lab_sender_throttled_total{sender_kind}: sends that had to wait for the sender's rate. */
  throttled: CounterFamily<'sender_kind'>;
  /** twilio_lab_sender_throttle_wait_seconds{sender_kind}: how long such a send waited. */
  throttleWait: HistogramFamily<'sender_kind'>;
  /** twilio_lab_sender_queued_messages{sender_kind}: accepted messages waiting for their sender. */
  queued: GaugeFamily<'sender_kind'>;
}

export function senderMetrics(registry: Registry): SenderMetrics {
  return oncePerRegistry(registry, 'sender', () => ({
    sent: new CounterFamily({
      name: `${P}sender_sent_total`,
      help: 'Messages a sender handed to a carrier, by sender kind (long-code, toll-free, short-code).',
      labelNames: ['sender_kind'],
    }).register(registry),
    throttled: new CounterFamily({
      name: `${P}sender_throttled_total`,
      help: "Sends that waited for the sender's messages-per-second limit.",
      labelNames: ['sender_kind'],
    }).register(registry),
    throttleWait: new HistogramFamily({
      name: `${P}sender_throttle_wait_seconds`,
      help: "Time a throttled send waited for the sender's rate.",
      labelNames: ['sender_kind'],
      buckets: PIPELINE_DURATION_BUCKETS,
    }).register(registry),
    queued: new GaugeFamily({
      name: `${P}sender_queued_messages`,
      help: 'Accepted messages waiting for their sender.',
      labelNames: ['sender_kind'],
    }).register(registry),
  }));
}

export interface QueueMetrics {
  /** twilio_lab_queue_published_total{queue} */
  published: CounterFamily<'queue'>;
  /** twilio_lab_queue_consumed_total{queue,outcome}; outcome: ok | retry | dead_letter. */
  consumed: CounterFamily<'queue' | 'outcome'>;
  /** twilio_lab_queue_depth_messages{queue}: published, not yet acknowledged. */
  depth: GaugeFamily<'queue'>;
  /** twilio_lab_queue_consumer_lag_messages{queue,group}: log end offset − committed offset. */
  consumerLag: GaugeFamily<'queue' | 'group'>;
  /** twilio_lab_queue_oldest_message_age_seconds{queue}: age of the oldest unacknowledged entry. */
  oldestAge: GaugeFamily<'queue'>;
}

export function queueMetrics(registry: Registry): QueueMetrics {
  return oncePerRegistry(registry, 'queue', () => ({
    published: new CounterFamily({
      name: `${P}queue_published_total`,
      help: 'Entries published to a queue (topic).',
      labelNames: ['queue'],
    }).register(registry),
    consumed: new CounterFamily({
      name: `${P}queue_consumed_total`,
      help: 'Entries a consumer finished, by outcome (ok, retry, dead_letter).',
      labelNames: ['queue', 'outcome'],
    }).register(registry),
    depth: new GaugeFamily({
      name: `${P}queue_depth_messages`,
      help: 'Entries published and not yet acknowledged.',
      labelNames: ['queue'],
    }).register(registry),
    consumerLag: new GaugeFamily({
      name: `${P}queue_consumer_lag_messages`,
      help: "Entries between a consumer group's committed position and the end of the queue.",
      labelNames: ['queue', 'group'],
    }).register(registry),
    oldestAge: new GaugeFamily({
      name: `${P}queue_oldest_message_age_seconds`,
      help: 'Age of the oldest entry not yet acknowledged (0 when empty).',
      labelNames: ['queue'],
    }).register(registry),
  }));
}

export interface CarrierMetrics {
  /** twilio_lab_carrier_submits_total{carrier,outcome}; outcome: accepted | rejected | error. */
  submits: CounterFamily<'carrier' | 'outcome'>;
  /** twilio_lab_carrier_submit_duration_seconds{carrier}: submit_sm → submit_sm_resp. */
  submitDuration: HistogramFamily<'carrier'>;
  /** twilio_lab_carrier_receipts_total{carrier,status}; status: delivered | undelivered | expired | rejected | unknown. */
  receipts: CounterFamily<'carrier' | 'status'>;
  /** twilio_lab_carrier_errors_total{carrier,kind}; kind: timeout | connection | throttled | protocol. */
  errors: CounterFamily<'carrier' | 'kind'>;
}

export function carrierMetrics(registry: Registry): CarrierMetrics {
  return oncePerRegistry(registry, 'carrier', () => ({
    submits: new CounterFamily({
      name: `${P}carrier_submits_total`,
      help: 'Messages submitted to a carrier, by outcome of the submit (accepted, rejected, error).',
      labelNames: ['carrier', 'outcome'],
    }).register(registry),
    submitDuration: new HistogramFamily({
      name: `${P}carrier_submit_duration_seconds`,
      help: "From a submit to the carrier's response.",
      labelNames: ['carrier'],
      buckets: IO_DURATION_BUCKETS,
    }).register(registry),
    receipts: new CounterFamily({
      name: `${P}carrier_receipts_total`,
      help: 'Delivery receipts received from a carrier, by final status.',
      labelNames: ['carrier', 'status'],
    }).register(registry),
    errors: new CounterFamily({
      name: `${P}carrier_errors_total`,
      help: 'Carrier-side failures (timeout, connection, throttled, protocol).',
      labelNames: ['carrier', 'kind'],
    }).register(registry),
  }));
}

export interface WebhookMetrics {
  /** twilio_lab_webhook_attempts_total{kind,outcome}; outcome: 2xx | 3xx | 4xx | 5xx | timeout | error. */
  attempts: CounterFamily<'kind' | 'outcome'>;
  /** twilio_lab_webhook_attempt_duration_seconds{kind}: one HTTP attempt, connect to reply. */
  attemptDuration: HistogramFamily<'kind'>;
  /** twilio_lab_webhook_failures_total{kind}: attempts that will be retried. */
  failures: CounterFamily<'kind'>;
  /** twilio_lab_webhook_dead_letters_total{kind}: callbacks given up on (moved to the dead letters). */
  deadLetters: CounterFamily<'kind'>;
  /** twilio_lab_webhook_pending_callbacks{kind}: callbacks durable and not yet delivered or dead-lettered. */
  pending: GaugeFamily<'kind'>;
}

export function webhookMetrics(registry: Registry): WebhookMetrics {
  return oncePerRegistry(registry, 'webhook', () => ({
    attempts: new CounterFamily({
      name: `${P}webhook_attempts_total`,
      help: 'Webhook HTTP attempts, by kind (message-status, message-inbound, …) and outcome.',
      labelNames: ['kind', 'outcome'],
    }).register(registry),
    attemptDuration: new HistogramFamily({
      name: `${P}webhook_attempt_duration_seconds`,
      help: 'One webhook attempt, from connect to the reply (or the failure).',
      labelNames: ['kind'],
      buckets: IO_DURATION_BUCKETS,
    }).register(registry),
    failures: new CounterFamily({
      name: `${P}webhook_failures_total`,
      help: 'Webhook attempts that failed and will be retried.',
      labelNames: ['kind'],
    }).register(registry),
    deadLetters: new CounterFamily({
      name: `${P}webhook_dead_letters_total`,
      help: 'Webhooks moved to the dead-letter list (attempts exhausted or permanent failure).',
      labelNames: ['kind'],
    }).register(registry),
    pending: new GaugeFamily({
      name: `${P}webhook_pending_callbacks`,
      help: 'Webhooks recorded and not yet delivered or dead-lettered.',
      labelNames: ['kind'],
    }).register(registry),
  }));
}

/** Outcome label of one webhook attempt: the status class, or how it failed without one. */
export function webhookOutcome(status: number | 'timeout' | 'error'): string {
  if (typeof status === 'string') return status;
  const i = Math.floor(status / 100);
  return i >= 1 && i <= 5 ? `${i}xx` : 'error';
}

export interface VerifyMetrics {
  /** twilio_lab_verify_verifications_total{channel,outcome}; outcome: created | rate_limited | invalid. */
  verifications: CounterFamily<'channel' | 'outcome'>;
  /** twilio_lab_verify_checks_total{outcome}; outcome: approved | pending | expired | max_attempts | not_found. */
  checks: CounterFamily<'outcome'>;
  /** twilio_lab_verify_time_to_approve_seconds{channel}: verification created → approved. */
  timeToApprove: HistogramFamily<'channel'>;
}

export function verifyMetrics(registry: Registry): VerifyMetrics {
  return oncePerRegistry(registry, 'verify', () => ({
    verifications: new CounterFamily({
      name: `${P}verify_verifications_total`,
      help: 'Verification start requests, by channel and outcome.',
      labelNames: ['channel', 'outcome'],
    }).register(registry),
    checks: new CounterFamily({
      name: `${P}verify_checks_total`,
      help: 'Verification checks, by outcome.',
      labelNames: ['outcome'],
    }).register(registry),
    timeToApprove: new HistogramFamily({
      name: `${P}verify_time_to_approve_seconds`,
      help: 'From creating a verification to its approval.',
      labelNames: ['channel'],
      buckets: PIPELINE_DURATION_BUCKETS,
    }).register(registry),
  }));
}
