/** One Registry per process: default labels, Node's runtime metrics, and the text a scrape gets. */
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Prefix of every metric name this project exports (runtime metrics included). */
export const METRIC_PREFIX = 'twilio_lab_';

/** The kinds of process that serve /metrics. */
export type ProcessKind = 'gateway' | 'cell' | 'lab' | 'super-network' | 'bench' | (string & {});

export interface RegistryOptions {
  /** Becomes the `process` label of every series. */
  process: ProcessKind;
  /** `region` label (topology mode). */
  region?: string;
  /** `cell` label (topology mode). */
  cell?: string;
  /**
   * Node's runtime metrics (CPU, heap, GC, event-loop lag, handles). Default true; off in
   * short-lived tests, because their GC observer and event-loop monitor live as long as the process.
   */
  runtimeMetrics?: boolean;
}

export { Registry };

export function createRegistry(o: RegistryOptions): Registry {
  const registry = new Registry();
  const labels: Record<string, string> = { process: o.process };
  if (o.region !== undefined) labels.region = o.region;
  if (o.cell !== undefined) labels.cell = o.cell;
  registry.setDefaultLabels(labels);
  if (o.runtimeMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  }
  return registry;
}

export interface MetricsText {
  status: 200;
  contentType: string;
  body: string;
}

/** The scrape answer for any HTTP server: `const m = await metricsText(r); res.writeHead(m.status, …)`. */
export async function metricsText(registry: Registry): Promise<MetricsText> {
  return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
}
