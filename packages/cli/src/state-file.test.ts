import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabInfo } from '@twilio-lab/lab';
import { CliError, readStateFile, removeState, requireRunningLab, statePath, writeState } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'twilio-lab-state-'));
after(() => rmSync(root, { recursive: true, force: true }));

function info(pid: number): LabInfo {
  return {
    baseUrl: 'http://127.0.0.1:3000',
    port: 3000,
    accountSid: 'AC' + '1'.repeat(32),
    authToken: 't',
    adminToken: 'a',
    dataDir: null,
    backend: 'embedded',
    engines: null,
    pid,
    startedAt: '2024-05-01T12:00:00Z',
    carriers: [],
  };
}

test('writeState then readStateFile round-trips, owner-only', async () => {
  const dir = join(root, 'a', 'nested');
  await writeState(dir, info(process.pid));
  assert.deepEqual(await readStateFile(dir), info(process.pid));
  assert.equal(statSync(statePath(dir)).mode & 0o777, 0o600);
  assert.equal((await requireRunningLab(dir)).pid, process.pid);
  await removeState(dir);
  assert.equal(await readStateFile(dir), null);
});

test('removeState leaves another process’s state file alone', async () => {
  const dir = join(root, 'b');
  await writeState(dir, info(process.pid));
  await removeState(dir, process.pid + 1);
  assert.notEqual(await readStateFile(dir), null);
});

test('no state file, or one left by a dead process, means no lab is running', async () => {
  const expectNotRunning = (err: unknown): boolean => {
    assert.ok(err instanceof CliError);
    assert.equal(err.code, 'LAB_NOT_RUNNING');
    assert.match(err.message, /^No lab is running in .* \(start one with `twilio-lab up`\)$/);
    return true;
  };
  await assert.rejects(requireRunningLab(join(root, 'empty')), expectNotRunning);
  const dir = join(root, 'stale');
  // 2^22 + 1 is above Linux's default pid_max, so no process has it.
  await writeState(dir, info(4_194_305));
  await assert.rejects(requireRunningLab(dir), expectNotRunning);
});

test('a corrupt state file is reported with what to do', async () => {
  const dir = join(root, 'corrupt');
  await writeState(dir, info(process.pid));
  writeFileSync(statePath(dir), '{"nope": true}');
  await assert.rejects(readStateFile(dir), (err: unknown) => {
    assert.ok(err instanceof CliError);
    assert.equal(err.code, 'LAB_STATE_INVALID');
    assert.match(err.message, /delete it/);
    return true;
  });
});
