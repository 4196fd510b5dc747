/**
 * Helpers for the Redis tests: the server address, a plain client to look behind the
 * adapter, clean-up of one run's keys, and a TCP relay that can be cut to simulate losing
 * the server.
 */
import { once } from 'node:events';
import net from 'node:net';
import { Redis } from 'ioredis';
import { uniqueSuffix } from '../contract/wait.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:16379';

/** A key prefix no other run uses. */
export function runPrefix(label: string): string {
  return `twilio-lab-test:${label}:${uniqueSuffix()}:`;
}

/** A plain client, no prefix; fails with a message naming the engine when Redis is absent. */
export async function openAdminClient(): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis did not answer at ${REDIS_URL} (set REDIS_URL, or run \`npx twilio-lab infra start\`): ${String(error)}`,
    );
  }
  return client;
}

/** Deletes every key under the prefix. */
export async function deleteKeys(admin: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(admin, prefix);
  if (keys.length > 0) await admin.del(...keys);
}

export async function keysUnder(admin: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1_000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * A relay on 127.0.0.1 in front of Redis. `cut()` closes the listener and every relayed
 * socket (the client sees the server vanish); `restore()` listens again on the same port.
 */
export class TcpRelay {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  port = 0;

  constructor(targetUrl: string) {
    const url = new URL(targetUrl);
    this.#target = { host: url.hostname, port: Number(url.port || 6379) };
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(this.#target);
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('relay has no TCP address');
    this.port = address.port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restore(): Promise<void> {
    await this.start();
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
