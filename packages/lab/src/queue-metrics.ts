/**
 * Queue depth and consumer lag of the lab's topics, read from the queue at scrape time (the
 * broker knows them; nothing is counted on the publish or consume path for this).
 */
import type { Queue } from '@twilio-lab/backends';
import { queueMetrics } from '@twilio-lab/metrics';
import type { Registry } from '@twilio-lab/metrics';

/**
 * Sets queue_consumer_lag_messages{queue,group} and queue_depth_messages{queue} from
 * `queue.lag(topic, group)` on every scrape. With one consumer group on the topic, what it has
 * not committed is what the topic holds unacknowledged, so the lag is the depth too.
 */
export function recordQueueLag(registry: Registry, queue: Queue, topic: string, group: string): void {
  const families = queueMetrics(registry);
  const lag = families.consumerLag.child({ queue: topic, group });
  const depth = families.depth.child({ queue: topic });
  families.consumerLag.onCollect(async () => {
    const n = await queue.lag(topic, group);
    lag.set(n);
    depth.set(n);
  });
}
