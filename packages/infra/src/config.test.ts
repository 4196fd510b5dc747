import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_DIR_ENV, INFRA_PORTS_ENV, parsePorts, resolveConfig } from './config.js';
import { InfraError } from './errors.js';
import { selectServices } from './infra.js';
import { untraversableAncestor } from './services/postgres.js';
import { DEFAULT_PORTS, SERVICE_NAMES } from './types.js';

test('resolveConfig: explicit dir and ports win; everything lives under the one folder', () => {
  const saved = process.env[INFRA_PORTS_ENV];
  process.env[INFRA_PORTS_ENV] = 'redis=1111,prometheus=29090';
  let cfg;
  try {
    cfg = resolveConfig({ dir: '/x/infra', ports: { redis: 26379, kafka: 29092 } });
  } finally {
    if (saved === undefined) delete process.env[INFRA_PORTS_ENV];
    else process.env[INFRA_PORTS_ENV] = saved;
  }
  assert.equal(cfg.ports.prometheus, 29090, 'from the env variable');
  assert.equal(cfg.dir, '/x/infra');
  assert.equal(cfg.ports.redis, 26379);
  assert.equal(cfg.ports.kafka, 29092);
  assert.equal(cfg.ports.postgres, DEFAULT_PORTS.postgres);
  for (const path of [
    cfg.postgres.dataDir,
    cfg.redis.pidPath,
    cfg.kafka.libsDir,
    cfg.kafka.logPath,
    cfg.toxiproxy.bin,
    cfg.prometheus.targetsDir,
    cfg.infraFilePath,
  ]) {
    assert.ok(path.startsWith('/x/infra/'), path);
  }
});

test('resolveConfig: the env variable names the folder when no option does', () => {
  const saved = process.env[INFRA_DIR_ENV];
  process.env[INFRA_DIR_ENV] = '/from/env';
  try {
    assert.equal(resolveConfig().dir, '/from/env');
    assert.equal(resolveConfig({ dir: '/opt' }).dir, '/opt');
  } finally {
    if (saved === undefined) delete process.env[INFRA_DIR_ENV];
    else process.env[INFRA_DIR_ENV] = saved;
  }
});

test('resolveConfig: existing installs can be pointed at', () => {
  const cfg = resolveConfig({ dir: '/x', kafkaLibsDir: '/shared/libs', toxiproxyBin: '/shared/bin/server' });
  assert.equal(cfg.kafka.libsDir, '/shared/libs');
  assert.equal(cfg.toxiproxy.bin, '/shared/bin/server');
});

test('selectServices: all by default, validated, in start order', () => {
  assert.deepEqual(selectServices(), [...SERVICE_NAMES]);
  assert.deepEqual(selectServices(['redis', 'kafka', 'redis']), ['kafka', 'redis']);
  assert.throws(
    () => selectServices(['redis', 'mysql']),
    (err: unknown) =>
      err instanceof InfraError && err.code === 'INFRA_UNKNOWN_SERVICE' && /"mysql"/.test(err.message),
  );
});

test('untraversableAncestor finds the folder another user cannot enter', () => {
  const root = mkdtempSync(join(tmpdir(), 'infra-trav-'));
  try {
    const inner = join(root, 'a', 'b');
    mkdirSync(inner, { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(join(root, 'a'), 0o700);
    // A user that neither owns the folders nor shares their group needs the "other" x bit.
    const stranger = { name: 'stranger', uid: 54321, gid: 54321, groups: [54321] };
    assert.equal(untraversableAncestor(join(inner, 'pg'), stranger), join(root, 'a'));
    chmodSync(join(root, 'a'), 0o711);
    assert.equal(untraversableAncestor(join(inner, 'pg'), stranger), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('parsePorts reads name=port lists and rejects anything else', () => {
  assert.deepEqual(parsePorts(''), {});
  assert.deepEqual(parsePorts('postgres=25432, kafkaController=29093'), {
    postgres: 25432,
    kafkaController: 29093,
  });
  for (const bad of ['mysql=3306', 'redis=0', 'redis=70000', 'redis', 'redis=abc']) {
    assert.throws(
      () => parsePorts(bad),
      (err: unknown) => err instanceof InfraError && err.code === 'INFRA_INVALID_PORTS',
      bad,
    );
  }
});
