// Each probe against loopback fakes: the right answer is healthy, a stranger on the port is foreign.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { probeKafka, probePostgres, probePrometheus, probeRedis, probeToxiproxy, portOpen } from './probe.js';

const HOST = '127.0.0.1';
const servers: (Server | HttpServer)[] = [];

after(async () => {
  for (const s of servers) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A TCP server that answers the first bytes it receives with reply(request). */
async function tcpFake(reply: (request: Buffer) => Buffer | null): Promise<number> {
  const server = createServer((socket: Socket) => {
    socket.on('error', () => {});
    socket.once('data', (data: Buffer) => {
      const answer = reply(data);
      if (answer === null) socket.destroy();
      else socket.end(answer);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

async function httpFake(status: number, body: string): Promise<number> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a port nothing listens on is closed for every probe', async () => {
  const port = await closedPort();
  assert.equal(await portOpen(HOST, port), false);
  for (const probe of [probeRedis, probePostgres, probeKafka, probeToxiproxy, probePrometheus]) {
    assert.equal(await probe(HOST, port), 'closed', probe.name);
  }
});

test('redis: +PONG is healthy, -LOADING is starting, an HTTP server is foreign', async () => {
  assert.equal(await probeRedis(HOST, await tcpFake(() => Buffer.from('+PONG\r\n'))), 'healthy');
  assert.equal(
    await probeRedis(HOST, await tcpFake(() => Buffer.from('-LOADING Redis is loading the dataset\r\n'))),
    'starting',
  );
  assert.equal(await probeRedis(HOST, await httpFake(200, 'hello')), 'foreign');
});

test('postgres: an authentication request is healthy, 57P03 is starting, garbage is foreign', async () => {
  let startup: Buffer | undefined;
  const authOk = await tcpFake((req) => {
    startup = req;
    return Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
  });
  assert.equal(await probePostgres(HOST, authOk), 'healthy');
  assert.ok(startup !== undefined);
  assert.equal(startup.readInt32BE(4), 196608, 'protocol 3.0 startup message');
  assert.ok(startup.includes('user\0postgres\0'));

  const fields = Buffer.from('SFATAL\0C57P03\0Mthe database system is starting up\0\0');
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  assert.equal(await probePostgres(HOST, await tcpFake(() => Buffer.concat([header, fields]))), 'starting');
  assert.equal(await probePostgres(HOST, await tcpFake(() => Buffer.from('+PONG\r\n'))), 'foreign');
});

test('kafka: an ApiVersions answer with our correlation id is healthy', async () => {
  const kafkaPort = await tcpFake((req) => {
    assert.equal(req.readInt16BE(4), 18, 'ApiVersions');
    const answer = Buffer.alloc(4 + 4 + 2 + 4);
    answer.writeInt32BE(answer.length - 4, 0);
    req.copy(answer, 4, 8, 12); // echo the correlation id
    answer.writeInt16BE(0, 8);
    answer.writeInt32BE(0, 10); // an empty api array
    return answer;
  });
  assert.equal(await probeKafka(HOST, kafkaPort), 'healthy');
  assert.equal(await probeKafka(HOST, await tcpFake(() => Buffer.from('+PONG\r\n-ERR what\r\n'))), 'foreign');
});

test('toxiproxy and prometheus: their own answers are healthy, another web server is foreign', async () => {
  assert.equal(await probeToxiproxy(HOST, await httpFake(200, '{"version":"2.12.0"}')), 'healthy');
  assert.equal(await probeToxiproxy(HOST, await httpFake(404, 'not found')), 'foreign');
  assert.equal(await probePrometheus(HOST, await httpFake(200, 'Prometheus Server is Ready.\n')), 'healthy');
  assert.equal(
    await probePrometheus(HOST, await httpFake(503, 'Prometheus Server is not Ready.\n')),
    'starting',
  );
  assert.equal(await probePrometheus(HOST, await httpFake(200, 'OK')), 'foreign');
  assert.equal(await probeToxiproxy(HOST, await tcpFake(() => Buffer.from('+PONG\r\n'))), 'foreign');
});
