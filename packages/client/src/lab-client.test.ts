import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { labClient } from './index.js';

const SID = 'AC' + '0'.repeat(31) + '1';
const TOKEN = 'secret-token';
const KEY = { sid: 'SK' + 'a'.repeat(32), secret: 'key-secret' };

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let server: Server;
let origin: string;
let recorded: Recorded[] = [];

function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

// Canned answers, just enough for the SDK to accept each call.
function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  if (url.startsWith(`/api/2010-04-01/Accounts/${SID}/Messages.json`)) {
    return reply(res, 201, { sid: 'SM' + '1'.repeat(32), status: 'queued', body: 'hi' });
  }
  if (url.startsWith('/api/2010-04-01/Accounts.json')) {
    return reply(res, 200, {
      accounts: [{ sid: SID, friendly_name: 'lab' }],
      first_page_uri: '/2010-04-01/Accounts.json?PageSize=50&Page=0',
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: 50,
      start: 0,
      end: 0,
      uri: '/2010-04-01/Accounts.json?PageSize=50&Page=0',
    });
  }
  if (url === '/messaging/v1/Services' && req.method === 'POST') {
    return reply(res, 201, { sid: 'MG' + '2'.repeat(32), friendly_name: 'svc' });
  }
  if (url.startsWith('/messaging/v1/Services')) {
    const second = url.includes('PageToken=');
    return reply(res, 200, {
      services: [{ sid: 'MG' + (second ? '4' : '3').repeat(32) }],
      meta: {
        page: second ? 1 : 0,
        page_size: 1,
        key: 'services',
        first_page_url: `${origin}/messaging/v1/Services?PageSize=1&Page=0`,
        previous_page_url: null,
        // The lab builds absolute URLs from its own origin; the client must follow them as they are.
        next_page_url: second ? null : `${origin}/messaging/v1/Services?PageSize=1&Page=1&PageToken=PAxyz`,
        url: `${origin}/messaging/v1/Services?PageSize=1&Page=0`,
      },
    });
  }
  if (url.startsWith('/lookups/v2/PhoneNumbers/')) {
    return reply(res, 200, { phone_number: '+14155552671', valid: true });
  }
  reply(res, 404, { code: 20404, message: 'not found', more_info: '', status: 404 });
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      recorded.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  recorded = [];
});

function only(): Recorded {
  assert.equal(recorded.length, 1, `expected one request, got ${JSON.stringify(recorded)}`);
  return recorded[0] as Recorded;
}

test('messages.create posts the form to the 2010 path with Basic auth', async () => {
  const client = labClient(origin, SID, TOKEN);
  const message = await client.messages.create({
    to: '+15558675310',
    from: '+15005550006',
    body: 'Hello & welcome',
    mediaUrl: ['https://a.example/1.png', 'https://a.example/2.png'],
  });
  assert.equal(message.status, 'queued');
  const req = only();
  assert.equal(req.method, 'POST');
  assert.equal(req.url, `/api/2010-04-01/Accounts/${SID}/Messages.json`);
  assert.equal(req.authorization, basic(SID, TOKEN));
  assert.equal(req.contentType, 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(req.body);
  assert.equal(form.get('To'), '+15558675310');
  assert.equal(form.get('From'), '+15005550006');
  assert.equal(form.get('Body'), 'Hello & welcome');
  assert.deepEqual(form.getAll('MediaUrl'), ['https://a.example/1.png', 'https://a.example/2.png']);
});

test('api.v2010.accounts.list reads the 2010 envelope', async () => {
  const accounts = await labClient(origin, SID, TOKEN).api.v2010.accounts.list();
  assert.deepEqual(
    accounts.map((a) => a.sid),
    [SID],
  );
  const req = only();
  assert.equal(req.method, 'GET');
  assert.match(req.url, /^\/api\/2010-04-01\/Accounts\.json(\?|$)/);
});

test('messaging.v1.services.create posts to the messaging prefix', async () => {
  const service = await labClient(origin, SID, TOKEN).messaging.v1.services.create({ friendlyName: 'svc' });
  assert.equal(service.friendlyName, 'svc');
  const req = only();
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/messaging/v1/Services');
  assert.equal(new URLSearchParams(req.body).get('FriendlyName'), 'svc');
});

test('lookups.v2.phoneNumbers(E164).fetch keeps the literal plus in the path', async () => {
  const number = await labClient(origin, SID, TOKEN).lookups.v2.phoneNumbers('+14155552671').fetch();
  assert.equal(number.valid, true);
  const req = only();
  assert.equal(req.method, 'GET');
  assert.equal(req.url, '/lookups/v2/PhoneNumbers/+14155552671');
});

test('API key credentials authenticate as the key while the path names the account', async () => {
  const client = labClient(origin, SID, 'unused', { apiKey: KEY });
  await client.messages.create({ to: '+15558675310', from: '+15005550006', body: 'k' });
  const req = only();
  assert.equal(req.authorization, basic(KEY.sid, KEY.secret));
  assert.equal(req.url, `/api/2010-04-01/Accounts/${SID}/Messages.json`);
});

test('v1 next_page_url that already points at the lab is followed verbatim', async () => {
  const services = await labClient(origin, SID, TOKEN).messaging.v1.services.list({ pageSize: 1 });
  assert.equal(services.length, 2);
  assert.equal(recorded.length, 2);
  assert.equal(recorded[1]?.url, '/messaging/v1/Services?PageSize=1&Page=1&PageToken=PAxyz');
});

test('edge and region options do not leak into lab URLs', async () => {
  const client = labClient(origin, SID, TOKEN, { clientOptions: { edge: 'dublin', region: 'ie1' } });
  const services = await client.messaging.v1.services.list({ pageSize: 1 });
  assert.equal(services.length, 2);
  assert.deepEqual(
    recorded.map((r) => r.url),
    ['/messaging/v1/Services?PageSize=1', '/messaging/v1/Services?PageSize=1&Page=1&PageToken=PAxyz'],
  );
});
