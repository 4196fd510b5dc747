/**
 * A scenario's setup on the lab before the load: the numbers its sms.send flows send from are
 * bought on the account (once; a number the account already has is kept), plus any extra
 * numbers `setup.numbersPerAccount` asks for beyond those. Setup the runtime cannot use yet is refused with
 * a clear error instead of being created and then ignored.
 */
import { encodeForm } from '@twilio-lab/core';
import type { TargetPlan } from '../runtime/plan.js';
import type { Scenario } from '../scenario/types.js';

export class BenchSetupError extends Error {
  readonly code = 'SETUP_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'BenchSetupError';
  }
}

const NOT_YET: Record<string, string> = {
  accounts:
    'several accounts (the load runs on the target account; multi-account storms come with topologies)',
  messagingServices: 'Messaging Services in setup (give the flow a messagingServiceSid that exists)',
  rooms: 'the Video product, which this lab does not have yet',
};

/** Refuses setup the runtime cannot use; call before anything is started. */
export function checkSetup(scenario: Scenario): void {
  const { setup } = scenario;
  const asked: Record<string, number> = {
    accounts: setup.accounts > 1 ? setup.accounts : 0,
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

function auth(target: TargetPlan): string {
  return 'Basic ' + Buffer.from(`${target.accountSid}:${target.authToken}`).toString('base64');
}

async function owned(target: TargetPlan, base: string, number: string): Promise<boolean> {
  const res = await fetch(`${base}/IncomingPhoneNumbers.json?${encodeForm({ PhoneNumber: number })}`, {
    headers: { authorization: auth(target) },
  });
  if (res.status !== 200)
    throw new Error(`GET IncomingPhoneNumbers answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { incoming_phone_numbers?: unknown[] };
  return (body.incoming_phone_numbers?.length ?? 0) > 0;
}

async function buy(target: TargetPlan, base: string, fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/IncomingPhoneNumbers.json`, {
    method: 'POST',
    headers: { authorization: auth(target), 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(fields),
  });
  const body = (await res.json()) as { phone_number?: string; message?: string; code?: number };
  if (res.status !== 201 || body.phone_number === undefined) {
    throw new Error(
      `buying ${JSON.stringify(fields)} answered ${res.status} ${body.code ?? ''}: ${body.message ?? ''}`,
    );
  }
  return body.phone_number;
}

export interface Provisioned {
  /** SIDs of the Verify services setup created (verify flows without a serviceSid use them in turn). */
  verifyServices: string[];
}

export async function provision(
  target: TargetPlan,
  scenario: Scenario,
  line: (text: string) => void,
): Promise<Provisioned> {
  checkSetup(scenario);
  const base = `${target.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${target.accountSid}`;
  const senders = new Set<string>();
  for (const s of scenario.scenarios) {
    for (const flow of s.flows) {
      const from = flow.with.from;
      if (flow.flow === 'sms.send' && typeof from === 'string') senders.add(from);
    }
  }
  for (const number of senders) {
    if (await owned(target, base, number)) continue;
    await buy(target, base, { PhoneNumber: number });
    line(`setup: bought ${number}`);
  }
  // Numbers beyond the senders the flows name (for flows that pick their own).
  for (let i = 0; i < scenario.setup.numbersPerAccount; i++) {
    line(`setup: bought ${await buy(target, base, { AreaCode: '415' })}`);
  }
  const needsVerify = scenario.scenarios.some((s) =>
    s.flows.some((f) => f.flow.startsWith('verify.') && f.with.serviceSid === undefined),
  );
  const count = Math.max(scenario.setup.verifyServices, needsVerify ? 1 : 0);
  const verifyServices: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${target.baseUrl.replace(/\/+$/, '')}/verify/v2/Services`, {
      method: 'POST',
      headers: { authorization: auth(target), 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ FriendlyName: `${scenario.name} ${i + 1}` }),
    });
    const body = (await res.json()) as { sid?: string; message?: string };
    if (res.status !== 201 || body.sid === undefined) {
      throw new Error(`creating a Verify service answered ${res.status}: ${body.message ?? ''}`);
    }
    verifyServices.push(body.sid);
    line(`setup: Verify service ${body.sid}`);
  }
  return { verifyServices };
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
