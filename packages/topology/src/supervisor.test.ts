import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CONFIG } from './errors.js';
import { Supervisor, backoffDelay } from './supervisor.js';
import type { SupervisorEvent } from './supervisor.js';

async function withScripts(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'supervisor-'));
  try {
    await writeFile(join(dir, 'crash.mjs'), "console.log('crashing'); process.exit(3);\n");
    await writeFile(
      join(dir, 'bad-config.mjs'),
      `console.error('bad config'); process.exit(${EXIT_CONFIG});\n`,
    );
    await writeFile(
      join(dir, 'serve.mjs'),
      `import { createServer } from 'node:http';
const server = createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => process.send?.({ type: 'ready', port: server.address().port }));
process.on('SIGTERM', () => { console.log('graceful'); server.close(() => process.exit(0)); });
`,
    );
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function waitFor(
  events: SupervisorEvent[],
  predicate: (e: SupervisorEvent[]) => boolean,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (predicate(events)) resolve();
      else if (Date.now() > deadline)
        reject(new Error(`condition not met; events: ${JSON.stringify(events)}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

test('back-off grows exponentially up to its cap', () => {
  const b = { initialMs: 100, factor: 2, maxMs: 1000, resetAfterMs: 10_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(b, n)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('a crashing process is restarted with a growing back-off', async () => {
  await withScripts(async (dir) => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor({
      backoff: { initialMs: 20, factor: 2, maxMs: 80, resetAfterMs: 60_000 },
      onEvent: (e) => events.push(e),
    });
    supervisor.add({
      name: 'crashy',
      kind: 'test',
      script: join(dir, 'crash.mjs'),
      logFile: join(dir, 'logs', 'crashy.log'),
    });
    await waitFor(events, (e) => e.filter((x) => x.type === 'restart-scheduled').length >= 5);
    await supervisor.stopInOrder([['crashy']]);
    const delays = events.flatMap((e) => (e.type === 'restart-scheduled' ? [e.delayMs] : [])).slice(0, 5);
    assert.deepEqual(delays, [20, 40, 80, 80, 80]);
    const spawns = events.filter((e) => e.type === 'spawn').length;
    assert.ok(spawns >= 5, `only ${spawns} spawns`);
    assert.ok((supervisor.status('crashy')?.restarts ?? 0) >= 4);
    const log = await readFile(join(dir, 'logs', 'crashy.log'), 'utf8');
    assert.match(log, /crashing/);
    assert.match(log, /exited \(code 3/);
  });
});

test('a process exiting with the config-error code is never restarted', async () => {
  await withScripts(async (dir) => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor({ backoff: { initialMs: 10 }, onEvent: (e) => events.push(e) });
    supervisor.add({
      name: 'broken',
      kind: 'test',
      script: join(dir, 'bad-config.mjs'),
      logFile: join(dir, 'broken.log'),
    });
    await assert.rejects(supervisor.waitReady('broken', 10_000), /configuration error/);
    // Long enough for several restarts at 10 ms had one been scheduled.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.filter((e) => e.type === 'spawn').length, 1);
    assert.equal(events.filter((e) => e.type === 'restart-scheduled').length, 0);
    assert.equal(supervisor.status('broken')?.state, 'config-error');
    assert.equal(supervisor.status('broken')?.lastExit?.code, EXIT_CONFIG);
    await supervisor.stopInOrder([['broken']]);
  });
});

test('ready over IPC; stop sends SIGTERM and the process exits gracefully without a restart', async () => {
  await withScripts(async (dir) => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor({ backoff: { initialMs: 10 }, onEvent: (e) => events.push(e) });
    supervisor.add({
      name: 'server',
      kind: 'test',
      script: join(dir, 'serve.mjs'),
      logFile: join(dir, 'server.log'),
    });
    await supervisor.waitReady('server', 10_000);
    const ready = supervisor.readyMessage('server') as { port: number };
    const answer = await fetch(`http://127.0.0.1:${ready.port}/`);
    assert.equal(await answer.text(), 'ok');
    await supervisor.stopInOrder([['server']]);
    assert.equal(supervisor.status('server')?.state, 'stopped');
    assert.equal(supervisor.status('server')?.lastExit?.code, 0);
    assert.equal(events.filter((e) => e.type === 'restart-scheduled').length, 0);
    assert.match(await readFile(join(dir, 'server.log'), 'utf8'), /graceful/);
  });
});

test('a killed process is restarted and becomes ready again', async () => {
  await withScripts(async (dir) => {
    const events: SupervisorEvent[] = [];
    const supervisor = new Supervisor({ backoff: { initialMs: 10 }, onEvent: (e) => events.push(e) });
    supervisor.add({
      name: 'server',
      kind: 'test',
      script: join(dir, 'serve.mjs'),
      logFile: join(dir, 'server.log'),
    });
    await supervisor.waitReady('server', 10_000);
    const firstPid = supervisor.status('server')?.pid ?? 0;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(events, (e) => e.filter((x) => x.type === 'ready').length >= 2);
    const status = supervisor.status('server');
    assert.notEqual(status?.pid, firstPid);
    assert.equal(status?.restarts, 1);
    assert.equal(status?.lastExit?.signal, 'SIGKILL');
    await supervisor.stopInOrder([['server']]);
  });
});
