/**
 * Run as a child process by the tests: subscribes, reports the first batch it is handed on
 * stdout and never finishes it, so the test can SIGKILL it mid-handler.
 * argv: <topicPrefix> <topic> <group>
 */
import { openTestQueue } from './test-support.js';

const [prefix, topic, group] = process.argv.slice(2);
if (prefix === undefined || topic === undefined || group === undefined) {
  throw new Error('usage: kafka-crash-child <topicPrefix> <topic> <group>');
}
const queue = await openTestQueue({ topicPrefix: prefix, sessionTimeoutMs: 6_000 });
await queue.subscribe(
  topic,
  group,
  async (batch) => {
    process.stdout.write(`handling ${JSON.stringify(batch.map((m) => m.value))}\n`);
    await new Promise<never>(() => {});
  },
  { maxBatch: 100 },
);
