// `twilio-lab infra …` end to end: the real bin/run.js in a child process, a temporary folder, and
// free loopback ports (TWILIO_LAB_INFRA_PORTS), so nothing on the standard ports is touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twilio-lab-cli-infra-'));
chmodSync(dir, 0o755);
let ports: Record<string, number>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TWILIO_LAB_INFRA_DIR: dir,
    TWILIO_LAB_INFRA_PORTS: Object.entries(ports)
      .map(([name, port]) => `${name}=${port}`)
      .join(','),
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: childEnv, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: stderr.replace(/\s+/g, ' ') });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function hasRedis(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  ports = {};
  for (const name of ['postgres', 'kafka', 'kafkaController', 'redis', 'toxiproxy', 'prometheus']) {
    ports[name] = await freePort();
  }
});

after(async () => {
  await cli(['infra', 'stop']);
  rmSync(dir, { recursive: true, force: true });
});

test('infra status --json: every engine with its address, nothing running on free ports', async () => {
  const run = await cli(['infra', 'status', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const statuses = JSON.parse(run.stdout) as { service: string; running: boolean; pid: null; port: number }[];
  assert.deepEqual(statuses.map((s) => s.service).sort(), [
    'kafka',
    'postgres',
    'prometheus',
    'redis',
    'toxiproxy',
  ]);
  for (const s of statuses) {
    assert.equal(s.running, false, s.service);
    assert.equal(s.pid, null);
    assert.equal(s.port, ports[s.service]);
  }
});

test('an unknown service or a bad port list is a usage error (exit 2) with a stable code', async () => {
  const unknown = await cli(['infra', 'start', 'mysql', '--json']);
  assert.equal(unknown.code, 2);
  assert.equal(
    (JSON.parse(unknown.stdout) as { error: { code: string } }).error.code,
    'INFRA_UNKNOWN_SERVICE',
  );
  const badPorts = await cli(['infra', 'status', '--json'], { TWILIO_LAB_INFRA_PORTS: 'redis=banana' });
  assert.equal(badPorts.code, 2);
  assert.equal(
    (JSON.parse(badPorts.stdout) as { error: { code: string } }).error.code,
    'INFRA_INVALID_PORTS',
  );
});

test('infra stop leaves alone what this folder did not start', async () => {
  const run = await cli(['infra', 'stop']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^redis: not running/m);
  assert.match(run.stdout, /^kafka: not running/m);
});

test('infra start redis: started, outlives the CLI, prints its env line; stop stops it', async () => {
  assert.ok(hasRedis(), 'redis-server is not installed: run `npx twilio-lab infra install` (npm test does)');
  const started = await cli(['infra', 'start', 'redis']);
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /^redis: started/m);
  assert.ok(started.stdout.includes(`export REDIS_URL='redis://127.0.0.1:${ports.redis}'`), started.stdout);

  const status = await cli(['infra', 'status', 'redis', '--json']);
  const [redis] = JSON.parse(status.stdout) as { running: boolean; pid: number | null }[];
  assert.equal(redis?.running, true);
  assert.equal(typeof redis?.pid, 'number');

  const again = await cli(['infra', 'start', 'redis']);
  assert.match(again.stdout, /^redis: already running/m);
  const stopped = await cli(['infra', 'stop', 'redis']);
  assert.match(stopped.stdout, /^redis: stopped/m);
});

test('infra start on a port something else holds: exit 1, INFRA_PORT_TAKEN, what to do next', async () => {
  const sockets = new Set<Socket>();
  const stranger: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.end('SSH-2.0-not-redis\r\n');
  });
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
  const port = (stranger.address() as AddressInfo).port;
  const taken = { ...ports, redis: port };
  const portsEnv = Object.entries(taken)
    .map(([name, p]) => `${name}=${p}`)
    .join(',');
  try {
    const text = await cli(['infra', 'start', 'redis'], { TWILIO_LAB_INFRA_PORTS: portsEnv });
    assert.equal(text.code, 1);
    assert.match(text.stderr, /is taken by something that is not Redis/);
    assert.match(text.stderr, /INFRA_FAILED/);
    const json = await cli(['infra', 'start', 'redis', '--json'], { TWILIO_LAB_INFRA_PORTS: portsEnv });
    assert.equal(json.code, 1);
    const result = JSON.parse(json.stdout) as { services: { ok: boolean; error?: { code: string } }[] };
    assert.equal(result.services[0]?.ok, false);
    assert.equal(result.services[0]?.error?.code, 'INFRA_PORT_TAKEN');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => stranger.close(() => resolve()));
  }
});
