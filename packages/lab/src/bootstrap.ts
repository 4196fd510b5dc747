/**
 * First-run state of an embedded lab: which account is the bootstrap account and which admin
 * token guards the lab control API. Kept in `<dataDir>/lab.json` so a restarted lab keeps
 * answering the same credentials (and the messages of the previous run stay reachable).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Account, IdentityService } from '@twilio-lab/identity';

export interface BootstrapState {
  accountSid: string;
  adminToken: string;
}

export class LabConfigError extends Error {
  readonly code = 'LAB_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'LabConfigError';
  }
}

const SID_PATTERN = /^AC[0-9a-f]{32}$/;
const TOKEN_PATTERN = /^[0-9a-f]{32}$/;

async function readState(dataDir: string | null): Promise<Partial<BootstrapState>> {
  if (!dataDir) return {};
  try {
    return JSON.parse(await readFile(join(dataDir, 'lab.json'), 'utf8')) as Partial<BootstrapState>;
  } catch {
    return {};
  }
}

async function writeState(dataDir: string | null, state: BootstrapState): Promise<void> {
  if (!dataDir) return;
  await mkdir(dataDir, { recursive: true });
  const tmp = join(dataDir, 'lab.json.tmp');
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, join(dataDir, 'lab.json'));
}

/**
 * Resolves the bootstrap account: the one named by the options (created on first use), else
 * the one remembered from an earlier run, else a new one. Explicit credentials that contradict
 * a stored account are refused rather than silently ignored.
 */
export async function bootstrapAccount(
  identity: IdentityService,
  dataDir: string | null,
  options: { accountSid?: string; authToken?: string; adminToken?: string },
): Promise<{ account: Account; adminToken: string }> {
  if (options.accountSid !== undefined && !SID_PATTERN.test(options.accountSid)) {
    throw new LabConfigError(
      `TWILIO_ACCOUNT_SID "${options.accountSid}" is not an account SID (AC followed by 32 lower-case hex digits).`,
    );
  }
  if (options.authToken !== undefined && !TOKEN_PATTERN.test(options.authToken)) {
    throw new LabConfigError('TWILIO_AUTH_TOKEN must be 32 lower-case hex digits, as Twilio issues them.');
  }
  const stored = await readState(dataDir);
  const wantedSid = options.accountSid ?? stored.accountSid;
  let account = wantedSid ? await identity.getAccount(wantedSid) : undefined;
  if (account && options.authToken !== undefined && account.authToken !== options.authToken) {
    throw new LabConfigError(
      `Account ${account.sid} already exists in ${dataDir ?? 'this lab'} with another auth token. ` +
        'Use the stored token, or start with a fresh --data-dir.',
    );
  }
  if (!account) {
    account = await identity.createAccount({
      friendlyName: 'twilio-lab bootstrap account',
      ...(wantedSid ? { sid: wantedSid } : {}),
      ...(options.authToken ? { authToken: options.authToken } : {}),
    });
  }
  const adminToken = options.adminToken ?? stored.adminToken ?? randomBytes(24).toString('base64url');
  await writeState(dataDir, { accountSid: account.sid, adminToken });
  return { account, adminToken };
}
