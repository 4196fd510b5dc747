/**
 * `<dataDir>/state.json`: the LabInfo of the lab `twilio-lab up` is running, so that the other
 * commands find its URL and admin token. Written atomically; removed when the lab stops.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabInfo } from '@twilio-lab/lab';
import { CliError } from './errors.js';

export const STATE_FILE = 'state.json';

export function statePath(dataDir: string): string {
  return join(dataDir, STATE_FILE);
}

export async function writeState(dataDir: string, info: LabInfo): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const tmp = statePath(dataDir) + `.${process.pid}.tmp`;
  // The file holds the auth and admin tokens: owner-only.
  await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, statePath(dataDir));
}

export async function removeState(dataDir: string, pid: number = process.pid): Promise<void> {
  // Only remove our own file: another `up` may have taken the folder over since.
  const current = await readStateFile(dataDir).catch(() => null);
  if (current !== null && current.pid !== pid) return;
  await rm(statePath(dataDir), { force: true });
}

function isLabInfo(value: unknown): value is LabInfo {
  const v = value as Partial<LabInfo> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.baseUrl === 'string' &&
    typeof v.adminToken === 'string' &&
    typeof v.accountSid === 'string' &&
    typeof v.pid === 'number'
  );
}

/** The state file's LabInfo, or null when there is none. Throws LAB_STATE_INVALID when unreadable. */
export async function readStateFile(dataDir: string): Promise<LabInfo | null> {
  let text: string;
  try {
    text = await readFile(statePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isLabInfo(parsed)) {
    throw new CliError(
      'LAB_STATE_INVALID',
      `${statePath(dataDir)} is not a lab state file; delete it and start the lab again with \`twilio-lab up\`.`,
    );
  }
  return parsed;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running lab recorded in `dataDir`, or a LAB_NOT_RUNNING error that says how to start one. */
export async function requireRunningLab(dataDir: string): Promise<LabInfo> {
  const info = await readStateFile(dataDir);
  if (info === null || !isProcessAlive(info.pid)) {
    throw new CliError(
      'LAB_NOT_RUNNING',
      `No lab is running in ${dataDir} (start one with \`twilio-lab up\`)`,
    );
  }
  return info;
}
