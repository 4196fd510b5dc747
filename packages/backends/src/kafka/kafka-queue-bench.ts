/**
 * Not a test: prints publish -> handler latency and throughput of the Kafka queue.
 *   node packages/backends/dist/kafka/kafka-queue-bench.js [messages=100000] [pacedRate=3000]
 * Saturated: every message is its own publish() call, `inFlight` of them outstanding (as
 * concurrent requests would publish). Paced: the same at a fixed rate, for latency under load.
 */
import { performance } from 'node:perf_hooks';
import { deleteByPrefix, openTestQueue, runPrefix } from './test-support.js';
import type { KafkaQueue } from './kafka-queue.js';

const total = Number(process.argv[2] ?? 100_000);
const pacedRate = Number(process.argv[3] ?? 3_000);
const inFlight = 1_000;
const keys = Array.from({ length: 64 }, (_, i) => `AC${i.toString(16).padStart(32, '0')}`);

interface Run {
  seconds: number;
  latenciesMs: Float64Array;
  /** publish() call to its promise resolving: the accept latency a request would see. */
  acksMs: Float64Array;
  sends: number;
}

async function run(queue: KafkaQueue, topic: string, count: number, ratePerSec: number | null): Promise<Run> {
  const latencies = new Float64Array(count);
  const acks = new Float64Array(count);
  let handled = 0;
  let done!: () => void;
  const allHandled = new Promise<void>((resolve) => (done = resolve));
  await queue.subscribe(
    topic,
    'bench',
    async (batch) => {
      const now = performance.now();
      for (const m of batch) {
        const [seq, sentAt] = m.value.split(' ');
        latencies[Number(seq)] = now - Number(sentAt);
      }
      handled += batch.length;
      if (handled >= count) done();
    },
    { concurrency: 8, maxBatch: 256 },
  );
  const sendsBefore = queue.stats().sends;
  const start = performance.now();
  let outstanding = 0;
  let wake: (() => void) | null = null;
  for (let i = 0; i < count; i++) {
    if (ratePerSec !== null) {
      const due = start + (i * 1000) / ratePerSec;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    while (outstanding >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
    outstanding += 1;
    const sentAt = performance.now();
    const value = `${i} ${sentAt}`;
    void queue.publish(topic, [{ key: keys[i % keys.length]!, value }]).then(() => {
      acks[i] = performance.now() - sentAt;
      outstanding -= 1;
      wake?.();
      wake = null;
    });
  }
  await allHandled;
  return {
    seconds: (performance.now() - start) / 1000,
    latenciesMs: latencies,
    acksMs: acks,
    sends: queue.stats().sends - sendsBefore,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(label: string, count: number, result: Run): void {
  const sorted = result.latenciesMs.slice().sort();
  const acks = result.acksMs.slice().sort();
  const f = (n: number): string => n.toFixed(1);
  console.log(
    `${label}: ${count} messages in ${result.seconds.toFixed(2)} s = ${Math.round(count / result.seconds)} msg/s; ` +
      `publish->handler ms p50 ${f(percentile(sorted, 50))} p90 ${f(percentile(sorted, 90))} ` +
      `p99 ${f(percentile(sorted, 99))} max ${f(sorted[sorted.length - 1]!)}; ` +
      `publish ack ms p50 ${f(percentile(acks, 50))} p99 ${f(percentile(acks, 99))}; ` +
      `${result.sends} sends (${(count / result.sends).toFixed(1)} publishes per send)`,
  );
}

const prefix = runPrefix('bench');
const queue = await openTestQueue({ topicPrefix: prefix, logLevel: 'warn' });
try {
  await queue.publish('warmup', [{ key: 'k', value: '0' }]);
  report(`saturated (${inFlight} publishes in flight)`, total, await run(queue, 'saturated', total, null));
  const pacedCount = pacedRate * 10;
  report(`paced at ${pacedRate}/s`, pacedCount, await run(queue, 'paced', pacedCount, pacedRate));
} finally {
  await queue.close();
  await deleteByPrefix(prefix);
}
