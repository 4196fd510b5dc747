import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStore, openSqliteStore } from '@twilio-lab/backends';
import type { Account } from '@twilio-lab/identity';
import { parseTopology } from './load.js';
import { createCellDirectory } from './placement.js';
import { rendezvous } from './rendezvous.js';

const sid = (n: number): string => `AC${n.toString(16).padStart(32, '0')}`;

function account(accountSid: string, owner = accountSid): Account {
  return {
    sid: accountSid,
    authToken: '0'.repeat(32),
    friendlyName: 'test',
    status: 'active',
    ownerAccountSid: owner,
    type: 'Full',
    dateCreated: 0,
    dateUpdated: 0,
  };
}

const TOPOLOGY = `version: 1
name: t
regions:
  - id: us1
    cells: [{ id: cell-1, capacity: 2 }, { id: cell-2, capacity: 1 }, { id: cell-3, capacity: 1 }]
  - id: eu1
    cells: [{ id: cell-1 }]
`;

test('rendezvous hashing spreads keys in proportion to capacity', () => {
  const counts = new Map<string, number>();
  const targets = [
    { id: 'a', weight: 2 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 1 },
  ];
  for (let i = 0; i < 4000; i++) {
    const chosen = rendezvous(sid(i), targets) ?? '';
    counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
  }
  const share = (id: string): number => (counts.get(id) ?? 0) / 4000;
  assert.ok(share('a') > 0.45 && share('a') < 0.55, `a got ${share('a')}`);
  assert.ok(share('b') > 0.2 && share('b') < 0.3, `b got ${share('b')}`);
  assert.ok(share('c') > 0.2 && share('c') < 0.3, `c got ${share('c')}`);
});

test('rendezvous hashing moves only the keys of a removed target', () => {
  const all = [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 1 },
  ];
  const withoutC = all.slice(0, 2);
  for (let i = 0; i < 500; i++) {
    const before = rendezvous(sid(i), all);
    if (before !== 'c') assert.equal(rendezvous(sid(i), withoutC), before);
  }
});

test('region policy places accounts on the default region, weighted by capacity', async () => {
  const store = await openMemoryStore();
  const directory = await createCellDirectory({
    topology: parseTopology(TOPOLOGY),
    store,
    getAccount: async (s) => account(s),
  });
  const counts = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const cell = await directory.cellOf(sid(i));
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  assert.equal(counts.get('eu1-cell-1'), undefined, 'the region policy keeps accounts in us1');
  assert.ok((counts.get('us1-cell-1') ?? 0) > (counts.get('us1-cell-2') ?? 0), JSON.stringify([...counts]));
  assert.deepEqual(await directory.accountCounts(), counts);
  await store.close();
});

test('hash policy uses every region; regionOf picks the region under the region policy', async () => {
  const store = await openMemoryStore();
  const hashed = await createCellDirectory({
    topology: parseTopology(`${TOPOLOGY}placement: { policy: hash }\n`),
    store,
    getAccount: async (s) => account(s),
  });
  const cells = new Set<string>();
  for (let i = 0; i < 200; i++) cells.add(await hashed.cellOf(sid(i)));
  assert.ok(cells.has('eu1-cell-1'));

  const store2 = await openMemoryStore();
  const byRegion = await createCellDirectory({
    topology: parseTopology(TOPOLOGY),
    store: store2,
    getAccount: async (s) => account(s),
    regionOf: () => 'eu1',
  });
  assert.equal(await byRegion.cellOf(sid(1)), 'eu1-cell-1');
  await store.close();
  await store2.close();
});

test('explicit placement wins, and subaccounts follow their parent', async () => {
  const store = await openMemoryStore();
  const parent = sid(7);
  const child = sid(8);
  const directory = await createCellDirectory({
    topology: parseTopology(`${TOPOLOGY}placement:\n  explicit:\n    ${parent}: eu1/cell-1\n`),
    store,
    getAccount: async (s) => (s === child ? account(child, parent) : account(s)),
  });
  assert.equal(await directory.cellOf(child), 'eu1-cell-1', 'the subaccount is placed with its parent');
  assert.equal(await directory.cellOf(parent), 'eu1-cell-1');
  assert.equal(directory.cached(child), 'eu1-cell-1');
  assert.equal((await directory.accountCounts()).get('eu1-cell-1'), 2);
  await store.close();
});

test('assignments are stable across a restart, even when the topology grows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'placement-'));
  try {
    const path = join(dir, 'global.sqlite');
    const first = new Map<string, string>();
    let store = await openSqliteStore({ path });
    let directory = await createCellDirectory({
      topology: parseTopology(TOPOLOGY),
      store,
      getAccount: async (s) => account(s),
    });
    for (let i = 0; i < 100; i++) first.set(sid(i), await directory.cellOf(sid(i)));
    await store.close();

    // A new cell with a big capacity would win many accounts if they were placed afresh.
    const grown = TOPOLOGY.replace(
      '{ id: cell-3, capacity: 1 }',
      '{ id: cell-3, capacity: 1 }, { id: cell-4, capacity: 50 }',
    );
    store = await openSqliteStore({ path });
    directory = await createCellDirectory({
      topology: parseTopology(grown),
      store,
      getAccount: async (s) => account(s),
    });
    for (const [accountSid, cell] of first) assert.equal(await directory.cellOf(accountSid), cell);
    // New accounts do see the new cell.
    let onNewCell = 0;
    for (let i = 1000; i < 1050; i++) if ((await directory.cellOf(sid(i))) === 'us1-cell-4') onNewCell++;
    assert.ok(onNewCell > 25, `only ${onNewCell} of 50 new accounts went to the big new cell`);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('concurrent first lookups of one account place it once', async () => {
  const store = await openMemoryStore();
  let lookups = 0;
  const directory = await createCellDirectory({
    topology: parseTopology(TOPOLOGY),
    store,
    getAccount: async (s) => {
      lookups++;
      return account(s);
    },
  });
  const cells = await Promise.all(Array.from({ length: 20 }, () => directory.cellOf(sid(42))));
  assert.equal(new Set(cells).size, 1);
  assert.equal(lookups, 1);
  await store.close();
});
