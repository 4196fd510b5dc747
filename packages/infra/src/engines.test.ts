// The real engines, each on a free loopback port in a temporary folder: start, status, a second
// start (idempotent), stop, a second stop; and a port held by a stranger. Kafka's jars and the
// toxiproxy binary come from the default infra folder (`twilio-lab infra install` fills it; the
// TWILIO_LAB_INFRA_DIR variable may name another), the way a user points at an existing install.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from './config.js';
import { missingKafkaJars } from './conf-writers.js';
import { start, status, stop } from './infra.js';
import { isExecutableFile } from './proc.js';
import type { InfraFile, InfraOptions, InfraPorts, ServiceName } from './types.js';

const installed = resolveConfig();
const dir = mkdtempSync(join(tmpdir(), 'twilio-lab-infra-'));
// PostgreSQL runs as user postgres, which must be able to enter the folder.
chmodSync(dir, 0o755);
let options: InfraOptions;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  const ports: InfraPorts = {
    postgres: await freePort(),
    kafka: await freePort(),
    kafkaController: await freePort(),
    redis: await freePort(),
    toxiproxy: await freePort(),
    prometheus: await freePort(),
  };
  options = {
    dir,
    ports,
    kafkaLibsDir: installed.kafka.libsDir,
    toxiproxyBin: installed.toxiproxy.bin,
    postgresSharedBuffers: '128MB',
    kafkaHeap: '512m',
    startTimeoutMs: 90_000,
  };
});

after(async () => {
  await stop([], options);
  rmSync(dir, { recursive: true, force: true });
});

function readInfra(): InfraFile {
  return JSON.parse(readFileSync(join(dir, 'infra.json'), 'utf8')) as InfraFile;
}

/** Why this machine cannot run the service, or null when it can. */
function missing(service: ServiceName): string | null {
  const which = (program: string): boolean => {
    try {
      execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  switch (service) {
    case 'postgres':
      return existsSync('/usr/lib/postgresql/15/bin/pg_ctl') ? null : 'postgresql-15 is not installed';
    case 'redis':
      return which('redis-server') ? null : 'redis-server is not installed';
    case 'prometheus':
      return which('prometheus') ? null : 'prometheus is not installed';
    case 'toxiproxy':
      return isExecutableFile(installed.toxiproxy.bin)
        ? null
        : `no ${installed.toxiproxy.bin} (run infra install)`;
    case 'kafka': {
      const names = existsSync(installed.kafka.libsDir) ? readdirSync(installed.kafka.libsDir) : [];
      return which('java') && missingKafkaJars(names).length === 0
        ? null
        : `no Kafka in ${installed.kafka.libsDir}`;
    }
  }
}

const ENV_NAME: Record<ServiceName, string> = {
  postgres: 'DATABASE_URL',
  kafka: 'KAFKA_BROKERS',
  redis: 'REDIS_URL',
  toxiproxy: 'TOXIPROXY_URL',
  prometheus: 'PROMETHEUS_URL',
};

/** A missing engine fails the test (never a silent skip): the test command installs them first. */
function requireInstalled(service: ServiceName): void {
  const why = missing(service);
  if (why !== null) assert.fail(`${why}: run \`npx twilio-lab infra install\` (npm test does) and try again`);
}

async function lifecycle(service: ServiceName, rounds = 1): Promise<void> {
  requireInstalled(service);
  for (let round = 0; round < rounds; round++) {
    const [first] = await start([service], options);
    assert.equal(first?.outcome, 'started', first?.message);

    const [running] = await status([service], options);
    assert.ok(running);
    assert.equal(running.running, true);
    assert.equal(running.health, 'healthy');
    assert.equal(typeof running.pid, 'number');
    assert.equal(running.port, options.ports?.[service === 'kafka' ? 'kafka' : service]);
    assert.equal(readInfra().env[ENV_NAME[service] as keyof InfraFile['env']], running.address);

    const [second] = await start([service], options);
    assert.equal(second?.outcome, 'already-running', second?.message);

    const [stopped] = await stop([service], options);
    assert.equal(stopped?.outcome, 'stopped', stopped?.message);
    const [after] = await status([service], options);
    assert.equal(after?.running, false);
    assert.equal(after?.pid, null);
    assert.equal(readInfra().env[ENV_NAME[service] as keyof InfraFile['env']], undefined);
  }
  const [again] = await stop([service], options);
  assert.equal(again?.outcome, 'not-running');
}

test('redis: start, status, idempotent start, stop', async () => {
  await lifecycle('redis');
});

test('postgres: durable settings, idempotent start, and a restart keeps the data', async () => {
  requireInstalled('postgres');
  const [first] = await start(['postgres'], options);
  assert.equal(first?.outcome, 'started', first?.message);
  const psql = (sql: string): string =>
    execFileSync(
      '/usr/lib/postgresql/15/bin/psql',
      ['-h', '127.0.0.1', '-p', String(options.ports?.postgres), '-U', 'postgres', '-At', '-c', sql],
      { encoding: 'utf8' },
    ).trim();
  assert.equal(psql('show fsync'), 'on');
  assert.equal(psql('show synchronous_commit'), 'on');
  assert.equal(psql('show max_connections'), '200');
  psql('create table kept (v int); insert into kept values (42)');
  assert.equal((await start(['postgres'], options))[0]?.outcome, 'already-running');
  assert.equal((await stop(['postgres'], options))[0]?.outcome, 'stopped');
  assert.equal((await status(['postgres'], options))[0]?.running, false);
  assert.equal((await start(['postgres'], options))[0]?.outcome, 'started');
  assert.equal(psql('select v from kept'), '42');
  assert.equal((await stop(['postgres'], options))[0]?.outcome, 'stopped');
  assert.equal((await stop(['postgres'], options))[0]?.outcome, 'not-running');
});

test('toxiproxy: start, status, idempotent start, stop', async () => {
  await lifecycle('toxiproxy');
});

test('prometheus: start, status, idempotent start, stop; the config watches the targets folder', async () => {
  await lifecycle('prometheus');
  if (missing('prometheus') !== null) return;
  const yml = readFileSync(join(dir, 'prometheus', 'prometheus.yml'), 'utf8');
  assert.ok(yml.includes(join(dir, 'prometheus', 'targets', '*.json')));
});

test('kafka: start, status, idempotent start, stop, twice (a restart must work)', async () => {
  await lifecycle('kafka', 2);
});

test('a port held by something else is a clear error, and nothing is started', async () => {
  requireInstalled('redis');
  const sockets = new Set<Socket>();
  const stranger: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
  const port = (stranger.address() as AddressInfo).port;
  try {
    const [redis] = await start(['redis'], { ...options, ports: { ...options.ports, redis: port } });
    assert.equal(redis?.ok, false);
    assert.equal(redis?.error?.code, 'INFRA_PORT_TAKEN');
    assert.match(
      redis?.message ?? '',
      new RegExp(`127\\.0\\.0\\.1:${port} is taken by something that is not Redis`),
    );
    const [toxi] = await start(['toxiproxy'], { ...options, ports: { ...options.ports, toxiproxy: port } });
    assert.equal(toxi?.error?.code, 'INFRA_PORT_TAKEN');
    assert.equal(
      (await status(['redis'], { ...options, ports: { ...options.ports, redis: port } }))[0]?.health,
      'foreign',
    );
  } finally {
    // fetch may keep its side open; close() waits for every connection to end.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => stranger.close(() => resolve()));
  }
});
