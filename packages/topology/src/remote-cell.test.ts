import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { openMemoryStore } from '@twilio-lab/backends';
import { jsonResponse } from '@twilio-lab/core';
import type { CellRequest } from '@twilio-lab/core';
import { createGateway } from '@twilio-lab/gateway';
import { createIdentity } from '@twilio-lab/identity';
import { startCellServer } from './cell-server.js';
import { RemoteCell } from './remote-cell.js';

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const REQUEST: CellRequest = {
  method: 'POST',
  product: 'api',
  path: '/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json',
  query: '',
  body: 'To=%2B14155550100&Body=hi',
  contentType: 'application/x-www-form-urlencoded',
  accountSid: 'AC00000000000000000000000000000001',
  authAccountSid: 'AC00000000000000000000000000000001',
  credentialSid: 'AC00000000000000000000000000000001',
  origin: 'http://127.0.0.1:3000',
  requestId: 'RQ1',
  headers: { 'if-match': '*' },
};

test('a cell nobody listens for answers 503 / 20503 naming the cell', async () => {
  const errors: unknown[] = [];
  const remote = new RemoteCell('us1-cell-2', `http://127.0.0.1:${await deadPort()}`, {
    onError: (_cell, err) => errors.push(err),
  });
  try {
    const response = await remote.handle(REQUEST);
    assert.equal(response.status, 503);
    const body = JSON.parse(response.body) as { code: number; message: string; status: number };
    assert.equal(body.code, 20503);
    assert.equal(body.status, 503);
    assert.match(body.message, /us1-cell-2 is unavailable/);
    assert.equal(errors.length, 1);
    assert.equal(await remote.healthy(), false);
  } finally {
    await remote.close();
  }
});

test('the request crosses the hop unchanged and the cell’s answer comes back as is', async () => {
  const seen: CellRequest[] = [];
  const server = await startCellServer({
    cell: {
      cellId: 'us1-cell-1',
      async handle(req) {
        seen.push(req);
        return jsonResponse(201, { echoed: req.body }, { 'X-Extra': 'yes' });
      },
    },
    labControl: { handle: async (req) => jsonResponse(200, { path: req.path }) },
    host: '127.0.0.1',
    port: 0,
  });
  const remote = new RemoteCell('us1-cell-1', `http://127.0.0.1:${server.port}`);
  try {
    const response = await remote.handle(REQUEST);
    assert.equal(response.status, 201);
    assert.deepEqual(JSON.parse(response.body), { echoed: REQUEST.body });
    assert.equal(response.headers?.['X-Extra'], 'yes');
    assert.deepEqual(seen, [REQUEST]);

    const control = await remote.control({
      method: 'GET',
      path: '/v1/Status',
      query: '',
      body: '',
      contentType: '',
      origin: 'http://x',
    });
    assert.deepEqual(JSON.parse(control.body), { path: '/v1/Status' });
    assert.equal(await remote.healthy(), true);
    server.drain();
    assert.equal(await remote.healthy(), false, 'a draining cell is not healthy');
  } finally {
    await remote.close();
    server.close();
  }
});

test('through the gateway, a dead cell is a 503 with a Twilio body, not a 500', async () => {
  const store = await openMemoryStore();
  const identity = await createIdentity(store);
  const account = await identity.createAccount({ friendlyName: 'blast' });
  const remote = new RemoteCell('us1-cell-2', `http://127.0.0.1:${await deadPort()}`);
  const gateway = await createGateway({ identity, router: { cellFor: () => remote }, port: 0 });
  try {
    const port = await gateway.listen();
    const response = await fetch(
      `http://127.0.0.1:${port}/2010-04-01/Accounts/${account.sid}/Messages.json`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${account.sid}:${account.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'To=%2B14155550100&From=%2B15005550006&Body=hi',
      },
    );
    assert.equal(response.status, 503);
    const body = (await response.json()) as { code: number; message: string };
    assert.equal(body.code, 20503);
    assert.match(body.message, /us1-cell-2/);
  } finally {
    await gateway.close();
    await remote.close();
    await store.close();
  }
});
