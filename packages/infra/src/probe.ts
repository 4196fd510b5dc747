/**
 * Health probes that speak each engine's own protocol, so "something answers on the port" can be
 * told apart from "the engine answers on the port".
 */
import { connect } from 'node:net';
import type { Health } from './types.js';

const PROBE_TIMEOUT_MS = 2_000;

type Exchange = { kind: 'closed' } | { kind: 'reply'; data: Buffer };

/**
 * Connects, writes `request`, and collects bytes until `complete` says so, the peer closes, or the
 * timeout. A refused connection is 'closed'; anything that accepted is a 'reply' (maybe empty).
 */
export function exchange(
  host: string,
  port: number,
  request: Buffer,
  complete: (data: Buffer) => boolean,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let connected = false;
    let settled = false;
    const socket = connect({ host, port });
    const finish = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(connected ? { kind: 'reply', data: Buffer.concat(chunks) } : { kind: 'closed' }),
      timeoutMs,
    );
    socket.once('connect', () => {
      connected = true;
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const data = Buffer.concat(chunks);
      if (complete(data)) finish({ kind: 'reply', data });
    });
    socket.once('error', () =>
      finish(connected ? { kind: 'reply', data: Buffer.concat(chunks) } : { kind: 'closed' }),
    );
    socket.once('close', () =>
      finish(connected ? { kind: 'reply', data: Buffer.concat(chunks) } : { kind: 'closed' }),
    );
  });
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (open: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const REDIS_PING = Buffer.from('PING\r\n');

/** +PONG is healthy; another RESP error (-LOADING while replaying the AOF) is Redis, not ready yet. */
export async function probeRedis(host: string, port: number): Promise<Health> {
  const result = await exchange(host, port, REDIS_PING, (d) => d.includes(0x0a));
  if (result.kind === 'closed') return 'closed';
  const text = result.data.toString('latin1');
  if (text.startsWith('+PONG')) return 'healthy';
  if (/^-[A-Z]+ /.test(text)) return 'starting';
  return 'foreign';
}

/** A protocol-3 StartupMessage for user and database "postgres". */
function postgresStartup(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0', 'latin1');
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + params.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, params]);
}
const POSTGRES_STARTUP = postgresStartup();
const POSTGRES_TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * Any authentication request ('R') means the server takes sessions. An ErrorResponse ('E') is
 * PostgreSQL too: SQLSTATE 57P03 means it is still starting, anything else (an unknown role…) means
 * it is up and answering.
 */
export async function probePostgres(host: string, port: number): Promise<Health> {
  const result = await exchange(
    host,
    port,
    POSTGRES_STARTUP,
    (d) => d.length >= 5 && d.length >= 1 + d.readInt32BE(1),
  );
  if (result.kind === 'closed') return 'closed';
  const data = result.data;
  if (data.length < 5) return 'foreign';
  const type = data[0];
  const length = data.readInt32BE(1);
  if (length < 4 || length > 1 << 16) return 'foreign';
  if (type === 0x52 /* R */) {
    // Say goodbye so the server does not log an unexpected EOF.
    void exchange(host, port, POSTGRES_TERMINATE, () => true, 200);
    return 'healthy';
  }
  if (type === 0x45 /* E */) {
    const body = data.subarray(5, 1 + length).toString('utf8');
    return body.includes('C57P03\0') ? 'starting' : 'healthy';
  }
  return 'foreign';
}

const KAFKA_CORRELATION_ID = 0x7e57_1ab0;

/** ApiVersions v0: the request every Kafka client sends first, answered by any broker version. */
function kafkaApiVersions(): Buffer {
  const clientId = Buffer.from('twilio-lab-infra', 'latin1');
  const body = Buffer.alloc(2 + 2 + 4 + 2);
  body.writeInt16BE(18, 0); // api key: ApiVersions
  body.writeInt16BE(0, 2); // api version
  body.writeInt32BE(KAFKA_CORRELATION_ID, 4);
  body.writeInt16BE(clientId.length, 8);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length + clientId.length, 0);
  return Buffer.concat([size, body, clientId]);
}
const KAFKA_API_VERSIONS = kafkaApiVersions();

/** Healthy when the broker answers ApiVersions with our correlation id and no error. */
export async function probeKafka(host: string, port: number): Promise<Health> {
  const result = await exchange(
    host,
    port,
    KAFKA_API_VERSIONS,
    (d) => d.length >= 4 && d.length >= 4 + d.readInt32BE(0),
  );
  if (result.kind === 'closed') return 'closed';
  const data = result.data;
  if (data.length < 10) return data.length === 0 ? 'starting' : 'foreign';
  if (data.readInt32BE(4) !== KAFKA_CORRELATION_ID) return 'foreign';
  return data.readInt16BE(8) === 0 ? 'healthy' : 'starting';
}

/** GET a small HTTP resource: the status and body, 'closed' when refused, 'foreign' when not HTTP. */
async function httpGet(
  host: string,
  port: number,
  path: string,
): Promise<{ kind: 'closed' } | { kind: 'foreign' } | { kind: 'http'; status: number; body: string }> {
  if (!(await portOpen(host, port))) return { kind: 'closed' };
  try {
    const response = await fetch(`http://${host}:${port}${path}`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return { kind: 'http', status: response.status, body: await response.text() };
  } catch {
    return { kind: 'foreign' };
  }
}

export async function probeToxiproxy(host: string, port: number): Promise<Health> {
  const result = await httpGet(host, port, '/version');
  if (result.kind !== 'http') return result.kind;
  if (result.status !== 200) return 'foreign';
  try {
    const parsed = JSON.parse(result.body) as { version?: unknown };
    return typeof parsed.version === 'string' ? 'healthy' : 'foreign';
  } catch {
    return 'foreign';
  }
}

/** /-/ready answers 200 once the TSDB is open and 503 "…not Ready" before. */
export async function probePrometheus(host: string, port: number): Promise<Health> {
  const result = await httpGet(host, port, '/-/ready');
  if (result.kind !== 'http') return result.kind;
  if (!/prometheus/i.test(result.body)) return 'foreign';
  return result.status === 200 ? 'healthy' : 'starting';
}
