/** Helpers shared by this folder's tests (not exported from the package). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Histogram } from 'hdr-histogram-js';
import type { RunMetrics, Series } from '../metrics.js';
import { decodeHistogram } from './histogram.js';
import { mergeSeries } from './merge.js';

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every series of `metric` whose tags include `tags`, merged into one. */
export function select(metrics: RunMetrics, metric: string, tags: Record<string, string> = {}): Series[] {
  return metrics.total.filter(
    (s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v),
  );
}

export function trendHistogram(
  metrics: RunMetrics,
  metric: string,
  tags: Record<string, string> = {},
): Histogram {
  const parts = select(metrics, metric, tags).map((s) => ({ ...s, tags: {} }));
  const [merged] = mergeSeries([parts]);
  if (merged === undefined || merged.type !== 'trend') throw new Error(`no trend ${metric}`);
  return decodeHistogram(merged.histogram);
}

export function counterValue(metrics: RunMetrics, metric: string, tags: Record<string, string> = {}): number {
  return select(metrics, metric, tags).reduce((n, s) => n + (s.type === 'counter' ? s.value : 0), 0);
}

export function rateOf(
  metrics: RunMetrics,
  metric: string,
  tags: Record<string, string> = {},
): { trues: number; total: number } {
  return select(metrics, metric, tags).reduce(
    (acc, s) => (s.type === 'rate' ? { trues: acc.trues + s.trues, total: acc.total + s.total } : acc),
    { trues: 0, total: 0 },
  );
}

interface IterationValue {
  valueIteratedTo: number;
  countAtValueIteratedTo: number;
}
interface ValuesIterator {
  reset(): void;
  hasNext(): boolean;
  next(): IterationValue;
}

/** Samples at or above `thresholdUs` (to the histogram's 3-digit resolution). */
export function countAtOrAbove(h: Histogram, thresholdUs: number): number {
  // The JS histogram's recorded-values iterator is public at runtime but absent from its typings.
  const it = (h as unknown as { recordedValuesIterator: ValuesIterator }).recordedValuesIterator;
  let count = 0;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    if (v.valueIteratedTo >= thresholdUs) count += v.countAtValueIteratedTo;
  }
  return count;
}
