/**
 * Test helpers for the Kafka adapter: where the broker is, a clear failure when it is not
 * there (tests never skip), and cleanup of everything a run created under its prefix.
 */
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import type { ISocketFactory } from 'kafkajs';
import { uniqueSuffix } from '../contract/wait.js';
import { openKafkaQueue } from './kafka-queue.js';
import type { KafkaQueue, KafkaQueueOptions } from './kafka-queue.js';

export const KAFKA_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092')
  .split(',')
  .map((b) => b.trim());

/** A topic / group prefix no other run shares. */
export function runPrefix(label: string): string {
  return `test.${label}.${uniqueSuffix()}.`;
}

/** Opens a queue on the test broker, naming the engine, address and env var if it is not there. */
export async function openTestQueue(options: Omit<KafkaQueueOptions, 'brokers'>): Promise<KafkaQueue> {
  try {
    return await openKafkaQueue({ brokers: KAFKA_BROKERS, retryDelayMs: 5, logLevel: 'error', ...options });
  } catch (error) {
    throw new Error(
      `Kafka did not answer at ${KAFKA_BROKERS.join(',')} (set KAFKA_BROKERS, or run \`npx twilio-lab infra start\`): ` +
        String(error instanceof Error ? error.message : error),
      { cause: error },
    );
  }
}

export function testAdmin(): ReturnType<Kafka['admin']> {
  return new Kafka({
    brokers: KAFKA_BROKERS,
    clientId: 'twilio-lab-tests',
    logLevel: logLevel.NOTHING,
  }).admin();
}

/** Deletes the consumer groups and topics whose names start with `prefix`. */
export async function deleteByPrefix(prefix: string): Promise<void> {
  const admin = testAdmin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const groupIds = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
    if (groupIds.length > 0) await admin.deleteGroups(groupIds).catch(() => {});
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/**
 * A TCP proxy in front of the test broker that can play a broker outage: `down()` drops
 * every connection and refuses new ones, `up()` accepts again on the same port. Pass
 * `socketFactory` to the queue so every broker connection goes through it.
 */
export interface OutageProxy {
  socketFactory: ISocketFactory;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageProxy(): Promise<OutageProxy> {
  const [host, portText] = KAFKA_BROKERS[0]!.split(':');
  const target = { host: host ?? '127.0.0.1', port: Number(portText) };
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect(target);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return {
    socketFactory: ({ onConnect }) => {
      const socket = connect({ host: '127.0.0.1', port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}
