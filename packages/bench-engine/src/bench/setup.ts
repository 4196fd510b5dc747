/**
 * A scenario's setup on the lab before the load: the numbers its sms.send flows send from are
 * bought on the account (once; a number the account already has is kept), plus any extra
 * numbers `setup.numbersPerAccount` asks for beyond those. `setup.accounts: N` adds N-1
 * subaccounts of the target account (found again by name on a lab that has them from an
 * earlier run); a number has one owner, so each subaccount gets its own number standing in
 * for each of the flows' senders. Setup the runtime cannot use yet is refused with a clear
 * error instead of being created and then ignored.
 */
import { encodeForm } from '@twilio-lab/core';
import type { AccountPlan, TargetPlan } from '../runtime/plan.js';
import type { Scenario } from '../scenario/types.js';

export class BenchSetupError extends Error {
  readonly code = 'SETUP_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'BenchSetupError';
  }
}

const NOT_YET: Record<string, string> = {
  messagingServices: 'Messaging Services in setup (give the flow a messagingServiceSid that exists)',
  rooms: 'the Video product, which this lab does not have yet',
};

/** Refuses setup the runtime cannot use; call before anything is started. */
export function checkSetup(scenario: Scenario): void {
  const { setup } = scenario;
  const asked: Record<string, number> = {
    messagingServices: setup.messagingServices,
    rooms: setup.rooms,
  };
  for (const [key, count] of Object.entries(asked)) {
    if (count > 0)
      throw new BenchSetupError(
        `${scenario.source}: setup.${key}: ${count} asked, but it needs ${NOT_YET[key]}`,
      );
  }
}

/** Credentials and the 2010 API base of one account. */
interface AccountApi {
  auth: string;
  /** {baseUrl}/2010-04-01/Accounts/{sid} */
  base: string;
}

function apiOf(baseUrl: string, accountSid: string, authToken: string): AccountApi {
  return {
    auth: 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64'),
    base: `${baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${accountSid}`,
  };
}

async function getJson<T>(api: AccountApi, url: string, what: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: api.auth } });
  if (res.status !== 200) throw new Error(`${what} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function postForm(
  api: AccountApi,
  url: string,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: api.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(fields),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function owned(api: AccountApi, number: string): Promise<boolean> {
  const body = await getJson<{ incoming_phone_numbers?: unknown[] }>(
    api,
    `${api.base}/IncomingPhoneNumbers.json?${encodeForm({ PhoneNumber: number })}`,
    'GET IncomingPhoneNumbers',
  );
  return (body.incoming_phone_numbers?.length ?? 0) > 0;
}

/** Every number the account owns (the first page of 1000 is plenty for a bench's setup). */
async function ownedNumbers(api: AccountApi): Promise<string[]> {
  const body = await getJson<{ incoming_phone_numbers?: { phone_number?: string }[] }>(
    api,
    `${api.base}/IncomingPhoneNumbers.json?PageSize=1000`,
    'GET IncomingPhoneNumbers',
  );
  return (body.incoming_phone_numbers ?? [])
    .map((n) => n.phone_number)
    .filter((n): n is string => typeof n === 'string')
    .sort();
}

async function buy(api: AccountApi, fields: Record<string, string>): Promise<string> {
  const { status, body } = await postForm(api, `${api.base}/IncomingPhoneNumbers.json`, fields);
  if (status !== 201 || typeof body.phone_number !== 'string') {
    throw new Error(
      `buying ${JSON.stringify(fields)} answered ${status} ${String(body.code ?? '')}: ${String(body.message ?? '')}`,
    );
  }
  return body.phone_number;
}

/** A subaccount's stand-in for `from` comes from the same NANP area code when there is one. */
function areaCodeOf(from: string): string {
  const m = /^\+1([2-9]\d\d)/.exec(from);
  return m?.[1] ?? '415';
}

interface AccountJson {
  sid?: string;
  auth_token?: string;
  status?: string;
  message?: string;
  code?: number;
}

/** The subaccount named `name` (reused when an earlier run created it), else a new one. */
async function subaccount(
  target: TargetPlan,
  main: AccountApi,
  name: string,
): Promise<AccountJson & { reused: boolean }> {
  const root = `${target.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts.json`;
  const found = await getJson<{ accounts?: AccountJson[] }>(
    main,
    `${root}?${encodeForm({ FriendlyName: name, Status: 'active' })}`,
    'GET Accounts',
  );
  const existing = found.accounts?.find((a) => a.sid !== target.accountSid);
  if (existing?.sid !== undefined && existing.auth_token !== undefined) return { ...existing, reused: true };
  const { status, body } = await postForm(main, root, { FriendlyName: name });
  const created = body as AccountJson;
  if (status !== 201 || typeof created.sid !== 'string' || typeof created.auth_token !== 'string') {
    throw new Error(
      `creating subaccount ${name} answered ${status} ${created.code ?? ''}: ${created.message ?? ''}`,
    );
  }
  return { ...created, reused: false };
}

export interface Provisioned {
  /** SIDs of the Verify services setup created (verify flows without a serviceSid use them in turn). */
  verifyServices: string[];
  /** Every account sms.send spreads over, the target's own first (one entry when setup.accounts is 1). */
  accounts: AccountPlan[];
}

/** The scenario's sms.send senders, in a stable order. */
function sendersOf(scenario: Scenario): string[] {
  const senders = new Set<string>();
  for (const s of scenario.scenarios) {
    for (const flow of s.flows) {
      const from = flow.with.from;
      if (flow.flow === 'sms.send' && typeof from === 'string') senders.add(from);
    }
  }
  return [...senders].sort();
}

/** Creates (or finds) subaccount a<index> and gives it a number for each sender. */
async function provisionSubaccount(
  target: TargetPlan,
  main: AccountApi,
  scenario: Scenario,
  index: number,
  senders: readonly string[],
  line: (text: string) => void,
): Promise<AccountPlan> {
  const name = `twilio-lab bench ${scenario.name} a${index}`;
  const sub = await subaccount(target, main, name);
  const accountSid = sub.sid!;
  const authToken = sub.auth_token!;
  // With the subaccount's own credentials: what the load will use, checked before the load.
  const api = apiOf(target.baseUrl, accountSid, authToken);
  const have = sub.reused ? await ownedNumbers(api) : [];
  const stand: Record<string, string> = {};
  for (const [i, from] of senders.entries()) {
    stand[from] = have[i] ?? (await buy(api, { AreaCode: areaCodeOf(from) }));
  }
  for (let i = 0; i < scenario.setup.numbersPerAccount; i++) await buy(api, { AreaCode: '415' });
  line(
    `setup: ${sub.reused ? 'reused' : 'created'} subaccount a${index} ${accountSid}` +
      (senders.length === 0 ? '' : ` sending from ${senders.map((f) => stand[f]).join(', ')}`),
  );
  return { accountSid, authToken, senders: stand };
}

export async function provision(
  target: TargetPlan,
  scenario: Scenario,
  line: (text: string) => void,
): Promise<Provisioned> {
  checkSetup(scenario);
  const main = apiOf(target.baseUrl, target.accountSid, target.authToken);
  const senders = sendersOf(scenario);
  for (const number of senders) {
    if (await owned(main, number)) continue;
    await buy(main, { PhoneNumber: number });
    line(`setup: bought ${number}`);
  }
  // Numbers beyond the senders the flows name (for flows that pick their own).
  for (let i = 0; i < scenario.setup.numbersPerAccount; i++) {
    line(`setup: bought ${await buy(main, { AreaCode: '415' })}`);
  }
  const accounts: AccountPlan[] = [{ accountSid: target.accountSid, authToken: target.authToken }];
  for (let i = 1; i < scenario.setup.accounts; i++) {
    accounts.push(await provisionSubaccount(target, main, scenario, i, senders, line));
  }
  const needsVerify = scenario.scenarios.some((s) =>
    s.flows.some((f) => f.flow.startsWith('verify.') && f.with.serviceSid === undefined),
  );
  const count = Math.max(scenario.setup.verifyServices, needsVerify ? 1 : 0);
  const verifyServices: string[] = [];
  for (let i = 0; i < count; i++) {
    const { status, body } = await postForm(
      main,
      `${target.baseUrl.replace(/\/+$/, '')}/verify/v2/Services`,
      { FriendlyName: `${scenario.name} ${i + 1}` },
    );
    if (status !== 201 || typeof body.sid !== 'string') {
      throw new Error(`creating a Verify service answered ${status}: ${String(body.message ?? '')}`);
    }
    verifyServices.push(body.sid);
    line(`setup: Verify service ${body.sid}`);
  }
  return { verifyServices, accounts };
}

/** Verify flows without a serviceSid get setup's services in turn. */
export function withProvisioned<T extends { flows: { flow: string; with: Record<string, unknown> }[] }>(
  scenarios: readonly T[],
  provisioned: Provisioned,
): T[] {
  let next = 0;
  return scenarios.map((s) => ({
    ...s,
    flows: s.flows.map((f) => {
      if (!f.flow.startsWith('verify.') || f.with.serviceSid !== undefined) return f;
      const sid = provisioned.verifyServices[next++ % Math.max(1, provisioned.verifyServices.length)];
      return sid === undefined ? f : { ...f, with: { ...f.with, serviceSid: sid } };
    }),
  }));
}
