/** Carriers and messages shared by the journal crash test and its child process. */
import type { CarrierConfig } from '../carrier-config.js';
import type { OutboundSms } from '../types.js';

function carrier(name: string, prefix: string, receiptMs: number): CarrierConfig {
  return {
    name,
    region: 'us1',
    prefixes: [prefix],
    costPerSegment: 0.01,
    systemId: 'lab',
    password: 'secret',
    submitLatencyMs: { median: 1, p99: 2 },
    receiptLatencyMs: { median: receiptMs, p99: receiptMs },
    outcomes: { delivered: 1, undelivered: 0, failed: 0 },
    seed: 11,
  };
}

/** 'us-fast' delivers at once; 'gb-slow' holds its messages long enough for the kill to land first. */
export function crashCarriers(): CarrierConfig[] {
  return [carrier('us-fast', '+1', 20), carrier('gb-slow', '+44', 3000)];
}

export function crashMessage(prefix: string, i: number): OutboundSms {
  const tag = prefix.slice(1) + String(i).padStart(4, '0');
  return {
    messageSid: 'SM' + tag.padStart(32, '0'),
    accountSid: 'AC' + tag.padStart(32, 'f'),
    from: '+15005550006',
    to: prefix + String(i).padStart(4, '0'),
    body: `crash ${tag}`,
    encoding: 'GSM-7',
    segments: 1,
    mediaUrls: [],
  };
}
