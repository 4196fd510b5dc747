// End to end through oclif: the real bin/run.js in a child process against a fake control API.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeState } from './index.js';
import { SAMPLE_MESSAGE, SAMPLE_STATUS, startFakeLab, type FakeLab } from './test-support.js';

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'twilio-lab-cli-'));
const labDir = join(root, 'lab');
const emptyDir = join(root, 'empty');
let lab: FakeLab;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const env = { ...process.env };
  for (const name of [
    'TWILIO_LAB_URL',
    'TWILIO_LAB_ADMIN_TOKEN',
    'TWILIO_ACCOUNT_SID',
    'TWILIO_AUTH_TOKEN',
    'PORT',
  ]) {
    delete env[name];
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: root, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      // oclif wraps messages to the terminal width: compare text with whitespace collapsed.
      resolve({ code, stdout, stderr: stderr.replace(/\s+/g, ' ') });
    });
  });
}

before(async () => {
  lab = await startFakeLab((req) => {
    if (req.authorization !== 'Bearer adm')
      return { status: 401, body: { code: 20003, message: 'Authenticate' } };
    if (req.url === '/lab/v1/Status') return { status: 200, body: SAMPLE_STATUS };
    if (req.url.startsWith('/lab/v1/Handsets/') && req.method === 'GET') {
      return { status: 200, body: { messages: [SAMPLE_MESSAGE] } };
    }
    if (req.url.startsWith('/lab/v1/Handsets/'))
      return { status: 201, body: { ...SAMPLE_MESSAGE, direction: 'mo' } };
    if (req.url.startsWith('/lab/v1/DeadLetters')) return { status: 200, body: { dead_letters: [] } };
    if (req.url === '/lab/v1/Carriers') return { status: 200, body: { carriers: [] } };
    return { status: 404, body: { code: 20404, message: 'not found' } };
  });
  // A state file naming this (live) process, as `up` would write it.
  await writeState(labDir, {
    baseUrl: lab.url,
    port: 0,
    accountSid: 'AC' + '1'.repeat(32),
    authToken: 'tok',
    adminToken: 'adm',
    dataDir: labDir,
    backend: 'embedded',
    engines: null,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    carriers: [],
  });
});

after(async () => {
  await lab.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  lab.requests.length = 0;
});

test('status --json prints the lab status found through the state file', async () => {
  const run = await cli('status', '--data-dir', labDir, '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), SAMPLE_STATUS);
  assert.equal(lab.requests[0]?.authorization, 'Bearer adm');
});

test('status prints a table without --json', async () => {
  const run = await cli('status', '--data-dir', labDir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^delivered\s+7$/m);
});

test('status with no lab says how to start one and exits 1', async () => {
  const run = await cli('status', '--data-dir', emptyDir);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /No lab is running in .*empty \(start one with `twilio-lab up`\)/);
  const json = await cli('status', '--data-dir', emptyDir, '--json');
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, 'LAB_NOT_RUNNING');
});

test('--url and --admin-token reach a lab without a state file; a wrong token exits 1', async () => {
  const ok = await cli('carriers', '--url', lab.url, '--admin-token', 'adm', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { carriers: [] });
  const bad = await cli('carriers', '--url', lab.url, '--admin-token', 'nope', '--json');
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stdout).error.code, 'LAB_UNAUTHORIZED');
});

test('handset inbox passes --since and prints the messages', async () => {
  const run = await cli(
    'handset',
    'inbox',
    '+15558675310',
    '--since',
    '2024-05-01T12:00:00Z',
    '--data-dir',
    labDir,
    '--json',
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { messages: [SAMPLE_MESSAGE] });
  assert.equal(
    lab.requests[0]?.url,
    `/lab/v1/Handsets/%2B15558675310/Messages?Since=${Date.UTC(2024, 4, 1, 12)}`,
  );
});

test('handset send posts the form; bad numbers and missing flags are usage errors (exit 2)', async () => {
  const run = await cli(
    'handset',
    'send',
    '--from',
    '+15558675310',
    '--to',
    '+15005550006',
    '--body',
    'STOP',
    '--media-url',
    'https://a.example/1.png',
    '--media-url',
    'https://a.example/2.png',
    '--data-dir',
    labDir,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Sent from /);
  const form = new URLSearchParams(lab.requests[0]?.body);
  assert.equal(form.get('To'), '+15005550006');
  assert.equal(form.get('Body'), 'STOP');
  assert.deepEqual(form.getAll('MediaUrl'), ['https://a.example/1.png', 'https://a.example/2.png']);

  const badNumber = await cli(
    'handset',
    'send',
    '--from',
    '555',
    '--to',
    '+15005550006',
    '--body',
    'x',
    '--json',
  );
  assert.equal(badNumber.code, 2);
  assert.equal(JSON.parse(badNumber.stdout).error.code, 'INVALID_FLAG');
  const missing = await cli('handset', 'send', '--from', '+15558675310');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Missing required flag to/);
  const noBody = await cli(
    'handset',
    'send',
    '--from',
    '+15558675310',
    '--to',
    '+15005550006',
    '--data-dir',
    labDir,
  );
  assert.equal(noBody.code, 2);
  assert.equal(lab.requests.length, 1);
});

test('webhooks dead-letters filters by account', async () => {
  const run = await cli('webhooks', 'dead-letters', '--account-sid', 'AC123', '--data-dir', labDir);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /No dead letters/);
  assert.equal(lab.requests[0]?.url, '/lab/v1/DeadLetters?AccountSid=AC123');
});
