import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsError } from './errors.js';
import { prometheusTargetsDir, writePrometheusTarget } from './prometheus-target.js';

describe('writePrometheusTarget', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes a file_sd group into <dir>/prometheus/targets and removes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metrics-target-'));
    dirs.push(dir);
    const target = await writePrometheusTarget(dir, 'lab-gateway', '127.0.0.1:3000', { cell: 'c1' });
    assert.equal(target.path, join(prometheusTargetsDir(dir), 'lab-gateway.json'));
    const parsed: unknown = JSON.parse(await readFile(target.path, 'utf8'));
    assert.deepEqual(parsed, [{ targets: ['127.0.0.1:3000'], labels: { cell: 'c1', job: 'lab-gateway' } }]);
    await writePrometheusTarget(dir, 'lab-gateway', '127.0.0.1:3001');
    assert.deepEqual(
      await readdir(prometheusTargetsDir(dir)),
      ['lab-gateway.json'],
      'no temporary file left',
    );
    await target.remove();
    await target.remove();
    assert.deepEqual(await readdir(prometheusTargetsDir(dir)), []);
  });

  it('refuses a bad job, address or label', async () => {
    const bad = (e: unknown) => e instanceof MetricsError && e.code === 'METRICS_INVALID_LABELS';
    await assert.rejects(writePrometheusTarget('/nonexistent', '../x', '127.0.0.1:1'), bad);
    await assert.rejects(writePrometheusTarget('/nonexistent', 'x', 'http://127.0.0.1:1'), bad);
    await assert.rejects(writePrometheusTarget('/nonexistent', 'x', '127.0.0.1:1', { __name__: 'y' }), bad);
    await assert.rejects(writePrometheusTarget('/nonexistent', 'x', '127.0.0.1:1', { job: 'y' }), bad);
  });
});
