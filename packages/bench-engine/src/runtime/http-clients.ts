/**
 * One keep-alive undici Pool per origin, with a bounded number of connections. When every
 * connection is busy, requests wait in the pool; their latency still counts from the
 * arrival's intended time, so that wait is measured, not hidden.
 */
import { Pool } from 'undici';

export class HttpClients {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connections: number) {}

  pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, { connections: this.connections, pipelining: 1, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}
