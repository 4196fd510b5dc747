/**
 * Debian packages, installed only when their program is missing. apt holds one lock for the whole
 * machine, so every install in this process goes through one queue, and `apt-get update` runs once.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InfraError } from './errors.js';
import { describeRun, isRoot, logTail, runLogged } from './proc.js';

let queue: Promise<unknown> = Promise.resolve();
let updated = false;

export function aptCommand(packages: readonly string[]): string {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
}

export async function aptInstall(
  packages: readonly string[],
  logPath: string,
  log: (line: string) => void,
): Promise<void> {
  if (!isRoot()) {
    throw new InfraError(
      'INFRA_NEEDS_ROOT',
      `${packages.join(', ')} is not installed and installing it needs root; run: sudo sh -c '${aptCommand(packages)}'`,
    );
  }
  const run = queue.then(() => installNow(packages, logPath, log));
  // The next install waits for this one whether it worked or not.
  queue = run.catch(() => {});
  return run;
}

async function installNow(
  packages: readonly string[],
  logPath: string,
  log: (line: string) => void,
): Promise<void> {
  await mkdir(dirname(logPath), { recursive: true });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) {
    log('apt-get update');
    const result = await runLogged('apt-get', ['update'], { logPath, env });
    if (result.code !== 0) throw aptFailed(['update'], describeRun(result), logPath);
    updated = true;
  }
  log(`apt-get install -y ${packages.join(' ')}`);
  const result = await runLogged('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    logPath,
    env,
  });
  if (result.code !== 0) throw aptFailed(['install', ...packages], describeRun(result), logPath);
}

function aptFailed(args: readonly string[], why: string, logPath: string): InfraError {
  return new InfraError(
    'INFRA_INSTALL_FAILED',
    `apt-get ${args.join(' ')} failed (${why}); log: ${logPath}\n${logTail(logPath, 8)}`,
    { logPath },
  );
}
