/**
 * Prometheus file_sd targets: one JSON file per scraped process in `<infra dir>/prometheus/targets/`,
 * the folder the Prometheus that `@twilio-lab/infra` starts watches (every 5 s).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetricsError } from './errors.js';

const FILE_NAME = /^[A-Za-z0-9_.-]+$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Where the targets of an infra folder live (infra's InfraConfig.prometheus.targetsDir). */
export function prometheusTargetsDir(infraDir: string): string {
  return join(infraDir, 'prometheus', 'targets');
}

export interface PrometheusTarget {
  /** Path of the file written. */
  path: string;
  /** Deletes the file (the process stopped); missing is fine. */
  remove(): Promise<void>;
}

/**
 * Writes `<infraDir>/prometheus/targets/<job>.json` naming `address` (host:port) with `job` and
 * `labels`. Written to a temporary file then renamed, so Prometheus never reads half a file.
 * `job` also names the file: one file per job and instance is the caller's choice of job name.
 */
export async function writePrometheusTarget(
  infraDir: string,
  job: string,
  address: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<PrometheusTarget> {
  if (!FILE_NAME.test(job)) {
    throw new MetricsError('METRICS_INVALID_LABELS', `job "${job}" must be letters, digits, '.', '_' or '-'`);
  }
  if (!/^[^\s/]+:\d+$/.test(address)) {
    throw new MetricsError('METRICS_INVALID_LABELS', `address "${address}" must be host:port`);
  }
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'job') {
      throw new MetricsError('METRICS_INVALID_LABELS', `"${name}" cannot be a target label`);
    }
  }
  const dir = prometheusTargetsDir(infraDir);
  const path = join(dir, `${job}.json`);
  const tmp = join(dir, `.${job}.${randomBytes(4).toString('hex')}.tmp`);
  const body = JSON.stringify([{ targets: [address], labels: { ...labels, job } }], null, 2) + '\n';
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, body);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new MetricsError(
      'METRICS_TARGET_WRITE_FAILED',
      `cannot write the Prometheus target ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return { path, remove: () => rm(path, { force: true }) };
}
