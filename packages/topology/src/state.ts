import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TopologyError } from './errors.js';
import type { ProcessStatus } from './supervisor.js';

export const TOPOLOGY_STATE_FILE = 'topology-state.json';

export interface TopologyCellState {
  cellId: string;
  region: string;
  capacity: number;
  port: number;
  url: string;
  backends: 'embedded' | 'real';
}

/**
 * `<dataDir>/topology-state.json`: what `up -t` runs, so that status, down, logs (and the
 * chaos engine's process faults) find the processes. Rewritten on every spawn and exit.
 */
export interface TopologyState {
  version: 1;
  topology: string;
  file: string;
  dataDir: string;
  /** The `up -t` process: it supervises the others; SIGTERM to it is a graceful down. */
  supervisorPid: number;
  startedAt: string;
  gateway: { url: string; port: number };
  accountSid: string;
  authToken: string;
  adminToken: string;
  cells: TopologyCellState[];
  processes: ProcessStatus[];
}

export function topologyStatePath(dataDir: string): string {
  return join(dataDir, TOPOLOGY_STATE_FILE);
}

export async function writeTopologyState(dataDir: string, state: TopologyState): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = topologyStatePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  // Holds the auth and admin tokens: owner-only.
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}

/** The state, or null when there is none. Throws TOPOLOGY_STATE_INVALID when unreadable. */
export async function readTopologyState(dataDir: string): Promise<TopologyState | null> {
  let text: string;
  try {
    text = await readFile(topologyStatePath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: Partial<TopologyState> | null = null;
  try {
    parsed = JSON.parse(text) as Partial<TopologyState>;
  } catch {
    parsed = null;
  }
  if (
    parsed === null ||
    parsed.version !== 1 ||
    typeof parsed.supervisorPid !== 'number' ||
    !Array.isArray(parsed.processes) ||
    !Array.isArray(parsed.cells)
  ) {
    throw new TopologyError(
      'TOPOLOGY_STATE_INVALID',
      `${topologyStatePath(dataDir)} is not a topology state file; delete it (after stopping any process it names).`,
    );
  }
  return parsed as TopologyState;
}

export async function removeTopologyState(
  dataDir: string,
  supervisorPid: number = process.pid,
): Promise<void> {
  const current = await readTopologyState(dataDir).catch(() => null);
  if (current !== null && current.supervisorPid !== supervisorPid) return;
  await rm(topologyStatePath(dataDir), { force: true });
}

export function isPidAlive(pid: number | null | undefined): boolean {
  if (pid === null || pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
