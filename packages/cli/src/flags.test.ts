import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, EXIT, labOptionsFromFlags, parseSince } from './index.js';
import { requireE164, type UpFlags } from './flags.js';

const BASE_FLAGS: UpFlags = {
  port: 3000,
  host: '127.0.0.1',
  'data-dir': '.lab',
  ephemeral: false,
  profile: 'lab',
  log: 'info',
};

function usageError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CliError);
    assert.equal(err.code, 'INVALID_FLAG');
    assert.equal(err.exitCode, EXIT.usage);
    assert.match(err.message, pattern);
    return true;
  });
}

test('parseSince takes epoch milliseconds or an ISO date', () => {
  assert.equal(parseSince('1714564800000'), 1714564800000);
  assert.equal(parseSince('2024-05-01T12:00:00Z'), Date.UTC(2024, 4, 1, 12));
  usageError(() => parseSince('yesterday'), /--since must be/);
  usageError(() => parseSince(''), /--since must be/);
});

test('requireE164 accepts E.164 and names the flag otherwise', () => {
  assert.equal(requireE164('--to', '+14155552671'), '+14155552671');
  usageError(() => requireE164('--to', '4155552671'), /^--to must be an E\.164 number/);
});

test('labOptionsFromFlags maps the up flags onto LabOptions', () => {
  assert.deepEqual(labOptionsFromFlags(BASE_FLAGS), {
    port: 3000,
    host: '127.0.0.1',
    dataDir: '.lab',
    ephemeral: false,
    profile: 'lab',
    log: 'info',
  });
  const sid = 'AC' + 'a'.repeat(32);
  const options = labOptionsFromFlags({
    ...BASE_FLAGS,
    port: 0,
    ephemeral: true,
    'account-sid': sid,
    'auth-token': 'tok',
    'admin-token': 'adm',
    carriers: 'c.yaml',
    'rate-limit': 500,
    profile: 'realistic',
    log: 'silent',
  });
  assert.equal(options.accountSid, sid);
  assert.equal(options.authToken, 'tok');
  assert.equal(options.adminToken, 'adm');
  assert.equal(options.carriersFile, 'c.yaml');
  assert.deepEqual(options.rateLimit, { ratePerSec: 500, burst: 1000 });
  assert.equal(options.profile, 'realistic');
  assert.equal(options.ephemeral, true);
});

test('labOptionsFromFlags: --backend real carries the namespace; a bad namespace is bad usage', () => {
  const options = labOptionsFromFlags({ ...BASE_FLAGS, backend: 'real', namespace: 'demo_2' });
  assert.equal(options.backend, 'real');
  assert.equal(options.namespace, 'demo_2');
  assert.equal(labOptionsFromFlags({ ...BASE_FLAGS, backend: 'embedded' }).backend, undefined);
  usageError(
    () => labOptionsFromFlags({ ...BASE_FLAGS, backend: 'real', namespace: 'My-Lab' }),
    /--namespace/,
  );
});

test('labOptionsFromFlags rejects a malformed account SID as bad usage', () => {
  usageError(() => labOptionsFromFlags({ ...BASE_FLAGS, 'account-sid': 'SK123' }), /--account-sid/);
});
