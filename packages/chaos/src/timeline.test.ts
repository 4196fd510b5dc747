/** The fault timeline against a Toxiproxy of the test's own, with a TCP echo server as upstream. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChaosError } from './errors.js';
import { startFaults } from './timeline.js';
import { ToxiproxyClient } from './toxiproxy.js';
import type { FaultSpec, JournalEntry, ProcessRegistry } from './types.js';
import { echoRoundTrip, startEchoServer } from './testing/echo-server.js';
import { startOwnToxiproxy, type OwnToxiproxy } from './testing/toxiproxy-server.js';

function waitFor(
  entries: JournalEntry[],
  predicate: (e: JournalEntry) => boolean,
  timeoutMs = 10_000,
): Promise<JournalEntry> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      const hit = entries.find(predicate);
      if (hit !== undefined) return resolve(hit);
      if (Date.now() > deadline) return reject(new Error('journal entry not seen in time'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${label} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function processState(pid: number): Promise<string> {
  // Field 3 of /proc/<pid>/stat: R running, S sleeping, T stopped.
  return readFile(`/proc/${pid}/stat`, 'utf8').then((s) =>
    s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3),
  );
}

describe('fault timeline on Toxiproxy', () => {
  let toxiproxy: OwnToxiproxy;
  let client: ToxiproxyClient;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  const ports: Record<string, number> = {};
  let dir: string;

  before(async () => {
    toxiproxy = await startOwnToxiproxy();
    client = new ToxiproxyClient(toxiproxy.url);
    echo = await startEchoServer();
    for (const name of ['us1.cell-1.postgres', 'us1.cell-2.postgres', 'us1->eu1']) {
      const proxy = await client.createProxy(name, '127.0.0.1:0', `127.0.0.1:${echo.port}`);
      ports[name] = Number(proxy.listen.split(':').pop());
    }
    dir = await mkdtemp(join(tmpdir(), 'chaos-timeline-'));
  });

  after(async () => {
    await toxiproxy?.close();
    await echo?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('injects a toxic on every link a glob matches, on both streams, and reverts it after `for`', async () => {
    const journalPath = join(dir, 'glob.ndjson');
    const faults: FaultSpec[] = [
      {
        atMs: 0,
        forMs: 400,
        action: 'latency',
        target: 'us1.cell-*.postgres',
        params: { latency: 150, jitter: 10, stream: 'both', toxicity: 0.5 },
      },
    ];
    const timeline = await startFaults(faults, { toxiproxyUrl: toxiproxy.url, journalPath });
    await waitFor(timeline.journal.entries, (e) => e.event === 'inject');
    const during = await client.proxies();
    for (const name of ['us1.cell-1.postgres', 'us1.cell-2.postgres']) {
      const toxics = during.find((p) => p.name === name)?.toxics ?? [];
      assert.deepEqual(toxics.map((t) => t.stream).sort(), ['downstream', 'upstream'], name);
      for (const t of toxics) {
        assert.equal(t.type, 'latency');
        assert.equal(t.toxicity, 0.5);
        assert.deepEqual(t.attributes, { latency: 150, jitter: 10 });
      }
    }
    assert.equal(
      during.find((p) => p.name === 'us1->eu1')?.toxics.length,
      0,
      'a link the glob does not match is untouched',
    );
    await timeline.done;
    assert.ok(
      (await client.proxies()).every((p) => p.toxics.length === 0),
      'reverted after `for`',
    );
    const report = await timeline.stop();
    assert.deepEqual(report, { undone: [], ok: true, usedResetFallback: false });
    const lines = (await readFile(journalPath, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalEntry);
    assert.deepEqual(
      lines.map((l) => l.event),
      ['inject', 'revert', 'rollback'],
    );
    assert.deepEqual(lines[0]?.resolved, ['us1.cell-1.postgres', 'us1.cell-2.postgres']);
    assert.ok((lines[1]?.tMs ?? 0) >= 400, 'reverted no earlier than `for`');
  });

  it('takes a link down (connections refused… or closed) and brings it back up on revert', async () => {
    const port = ports['us1->eu1'] as number;
    assert.equal(await echoRoundTrip(port, 'ping', 2000), 'ping');
    const timeline = await startFaults(
      [{ atMs: 0, forMs: 300, action: 'down', target: 'us1->eu1', params: {} }],
      { toxiproxyUrl: toxiproxy.url },
    );
    await waitFor(timeline.journal.entries, (e) => e.event === 'inject');
    assert.equal((await client.proxies()).find((p) => p.name === 'us1->eu1')?.enabled, false);
    assert.equal(await echoRoundTrip(port, 'ping', 1000), 'refused');
    await timeline.done;
    assert.equal((await client.proxies()).find((p) => p.name === 'us1->eu1')?.enabled, true);
    assert.equal(await echoRoundTrip(port, 'ping', 2000), 'ping');
    await timeline.stop();
  });

  it('a timeout toxic black-holes data until it is removed', async () => {
    const port = ports['us1->eu1'] as number;
    const timeline = await startFaults(
      [{ atMs: 0, action: 'timeout', target: 'us1->eu1', params: { stream: 'both' } }],
      { toxiproxyUrl: toxiproxy.url },
    );
    await waitFor(timeline.journal.entries, (e) => e.event === 'inject');
    assert.equal(await echoRoundTrip(port, 'ping', 500), 'timeout');
    const report = await timeline.stop();
    assert.equal(report.ok, true);
    assert.equal(report.undone.length, 2, 'one toxic per stream removed by the rollback');
    assert.equal(await echoRoundTrip(port, 'ping', 2000), 'ping');
  });

  it('stop() before a fault is due cancels it and reverts what is active (nothing left behind)', async () => {
    const timeline = await startFaults(
      [
        { atMs: 0, action: 'bandwidth', target: 'us1->eu1', params: { rate: 1 } },
        { atMs: 60_000, forMs: 1000, action: 'down', target: 'us1->eu1', params: {} },
      ],
      { toxiproxyUrl: toxiproxy.url },
    );
    await waitFor(timeline.journal.entries, (e) => e.event === 'inject');
    assert.equal(timeline.activeCount, 1);
    const report = await timeline.stop();
    assert.equal(report.ok, true);
    assert.equal(report.undone.length, 1);
    assert.match(
      report.undone[0]?.what ?? '',
      /^remove toxic chaos_[0-9a-f]{6}_f0_downstream from us1->eu1$/,
    );
    const proxy = (await client.proxies()).find((p) => p.name === 'us1->eu1');
    assert.equal(proxy?.toxics.length, 0);
    assert.equal(proxy?.enabled, true, 'the later link-down never happened');
    assert.equal(timeline.journal.entries.filter((e) => e.event === 'inject').length, 1);
  });

  it('every toxic type is accepted by Toxiproxy with its attributes', async () => {
    const specs: FaultSpec[] = [
      { atMs: 0, action: 'latency', target: 'us1->eu1', params: { latency: 5 } },
      { atMs: 0, action: 'bandwidth', target: 'us1->eu1', params: { rate: 100, stream: 'upstream' } },
      { atMs: 0, action: 'slow_close', target: 'us1->eu1', params: { delay: 10 } },
      { atMs: 0, action: 'timeout', target: 'us1.cell-1.postgres', params: { timeout: 100 } },
      { atMs: 0, action: 'reset_peer', target: 'us1.cell-2.postgres', params: { timeout: 50 } },
      {
        atMs: 0,
        action: 'slicer',
        target: 'us1->eu1',
        params: { average_size: 8, size_variation: 2, delay: 10 },
      },
      {
        atMs: 0,
        action: 'limit_data',
        target: 'us1.cell-1.postgres',
        params: { bytes: 1000, stream: 'upstream' },
      },
    ];
    const timeline = await startFaults(specs, { toxiproxyUrl: toxiproxy.url });
    await timeline.done;
    assert.deepEqual(timeline.errors, []);
    const types = (await client.proxies()).flatMap((p) => p.toxics.map((t) => t.type)).sort();
    assert.deepEqual(types, [
      'bandwidth',
      'latency',
      'limit_data',
      'reset_peer',
      'slicer',
      'slow_close',
      'timeout',
    ]);
    const report = await timeline.stop();
    assert.equal(report.undone.length, 7);
    assert.ok((await client.proxies()).every((p) => p.toxics.length === 0));
  });

  it('fails before injecting anything when a target matches no link, naming it', async () => {
    await assert.rejects(
      startFaults(
        [
          { atMs: 0, action: 'latency', target: 'us1->eu1', params: { latency: 10 } },
          { atMs: 0, action: 'down', target: 'us1.super-network->carrier-*', params: {} },
        ],
        { toxiproxyUrl: toxiproxy.url },
      ),
      (err: unknown) =>
        err instanceof ChaosError &&
        err.code === 'CHAOS_TARGET_NOT_FOUND' &&
        err.message.includes("'us1.super-network->carrier-*'") &&
        err.message.includes('us1->eu1'),
    );
    assert.ok((await client.proxies()).every((p) => p.toxics.length === 0 && p.enabled));
  });

  it('rejects invalid fault params with their paths', async () => {
    await assert.rejects(
      startFaults([{ atMs: 0, action: 'latency', target: 'x', params: { latncy: 10 } }], {
        toxiproxyUrl: toxiproxy.url,
      }),
      (err: unknown) =>
        err instanceof ChaosError &&
        err.code === 'CHAOS_INVALID' &&
        err.issues.some((i) => i.path === 'faults[0].latency' && i.message === 'is required') &&
        err.issues.some((i) => i.path === 'faults[0].latncy' && i.message.includes("did you mean 'latency'")),
    );
  });

  it('puts a timeout on every control call (a Toxiproxy that never answers)', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(
        startFaults([{ atMs: 0, action: 'down', target: 'x', params: {} }], {
          toxiproxyUrl: `http://127.0.0.1:${port}`,
          controlTimeoutMs: 300,
        }),
        (err: unknown) => err instanceof ChaosError && err.code === 'CHAOS_CONTROL_TIMEOUT',
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('the crash guard reverts what a SIGKILLed runner left injected', async () => {
    const runner = fileURLToPath(new URL('./testing/crash-runner.js', import.meta.url));
    const journalPath = join(dir, 'crash.ndjson');
    const child = spawn(process.execPath, [runner, toxiproxy.url, journalPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('injected')) resolve();
      });
      child.once('exit', () => reject(new Error('runner exited early')));
    });
    assert.equal((await client.proxies()).find((p) => p.name === 'us1->eu1')?.enabled, false);
    assert.equal((await client.proxies()).find((p) => p.name === 'us1.cell-1.postgres')?.toxics.length, 1);
    child.kill('SIGKILL');
    await exited;
    await until(
      async () => (await client.proxies()).every((p) => p.enabled && p.toxics.length === 0),
      10_000,
      'the guard reverting the toxic and the link-down',
    );
    await until(
      async () => (await readFile(journalPath, 'utf8')).includes('crash guard'),
      5000,
      'the guard journal line',
    );
  });
});

describe('process faults through a ProcessRegistry', () => {
  it('pauses with SIGSTOP, resumes with SIGCONT; kills with SIGKILL and restarts through the registry', async () => {
    const spawnSleeper = () =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const procs = new Map([
      ['us1-cell-1', spawnSleeper()],
      ['us1-cell-2', spawnSleeper()],
    ]);
    const restarted: string[] = [];
    const registry: ProcessRegistry = {
      list: () => [...procs.entries()].map(([name, child]) => ({ name, pid: child.pid as number })),
      async restart(name) {
        restarted.push(name);
        procs.set(name, spawnSleeper());
      },
    };
    try {
      const pausedPid = procs.get('us1-cell-1')?.pid as number;
      const killed = procs.get('us1-cell-2') as ReturnType<typeof spawnSleeper>;
      const killedExit = new Promise<string | null>((r) => killed.once('exit', (_code, signal) => r(signal)));
      const timeline = await startFaults(
        [
          { atMs: 0, forMs: 500, action: 'pause', target: 'us1-cell-1', params: {} },
          { atMs: 0, forMs: 300, action: 'kill', target: 'us1-cell-2', params: {} },
        ],
        { processes: registry, crashGuard: false },
      );
      await waitFor(timeline.journal.entries, (e) => e.event === 'inject' && e.fault === 0);
      await until(async () => (await processState(pausedPid)) === 'T', 2000, 'SIGSTOP');
      assert.equal(await killedExit, 'SIGKILL');
      await timeline.done;
      await until(async () => (await processState(pausedPid)) !== 'T', 2000, 'resumed after `for`');
      assert.deepEqual(restarted, ['us1-cell-2']);
      assert.deepEqual((await timeline.stop()).undone, []);
      await assert.rejects(
        startFaults([{ atMs: 0, action: 'kill', target: 'eu1-cell-*', params: {} }], { processes: registry }),
        (err: unknown) =>
          err instanceof ChaosError &&
          err.code === 'CHAOS_TARGET_NOT_FOUND' &&
          err.message.includes("'eu1-cell-*'"),
      );
    } finally {
      for (const child of procs.values()) child.kill('SIGKILL');
    }
  });

  it('resumes a paused process at stop() even when the fault had no `for`', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const registry: ProcessRegistry = {
        list: () => [{ name: 'media-1', pid: child.pid as number }],
        restart: async () => undefined,
      };
      const timeline = await startFaults([{ atMs: 0, action: 'pause', target: 'media-*', params: {} }], {
        processes: registry,
        crashGuard: false,
      });
      await timeline.done;
      await until(async () => (await processState(child.pid as number)) === 'T', 2000, 'SIGSTOP');
      const report = await timeline.stop();
      assert.deepEqual(report.undone, [{ what: `SIGCONT media-1 (pid ${child.pid})`, ok: true }]);
      await until(async () => (await processState(child.pid as number)) !== 'T', 2000, 'SIGCONT');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
