/**
 * setup.accounts against a real embedded lab: the subaccounts exist on the lab as children of
 * the target account, each owns its own stand-in for every sender, and a second setup on the
 * same lab finds them again instead of creating more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLab, type RunningLab } from '@twilio-lab/lab';
import type { TargetPlan } from '../runtime/plan.js';
import { parseScenario } from '../scenario/parse.js';
import { provision } from './setup.js';

const FROM = '+15017122661';
const FILE = `
name: many
lab: { mode: embedded }
setup: { accounts: 3 }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow: sms.send
    with: { from: '${FROM}', to: '+15558670001' }
`;

function basic(sid: string, token: string): string {
  return `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
}

async function numbersOf(baseUrl: string, sid: string, token: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json`, {
    headers: { authorization: basic(sid, token) },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { incoming_phone_numbers: { phone_number: string }[] };
  return body.incoming_phone_numbers.map((n) => n.phone_number).sort();
}

describe('setup.accounts', () => {
  let lab: RunningLab;
  let target: TargetPlan;

  before(async () => {
    lab = await startLab({ port: 0, ephemeral: true, log: 'silent' });
    const { baseUrl, accountSid, authToken } = lab.info;
    target = { baseUrl, accountSid, authToken };
  });
  after(async () => {
    await lab.close(5_000);
  });

  it('creates N-1 subaccounts of the target, each with its own number for every sender', async () => {
    const scenario = parseScenario(FILE, 'many.yaml');
    const lines: string[] = [];
    const { accounts } = await provision(target, scenario, (l) => lines.push(l));
    assert.equal(accounts.length, 3);
    assert.deepEqual(accounts[0], { accountSid: target.accountSid, authToken: target.authToken });
    assert.equal(new Set(accounts.map((a) => a.accountSid)).size, 3);

    const res = await fetch(`${target.baseUrl}/2010-04-01/Accounts.json`, {
      headers: { authorization: basic(target.accountSid, target.authToken) },
    });
    const listed = (await res.json()) as { accounts: { sid: string; owner_account_sid: string }[] };
    for (const sub of accounts.slice(1)) {
      const row = listed.accounts.find((a) => a.sid === sub.accountSid);
      assert.equal(row?.owner_account_sid, target.accountSid, 'a subaccount of the target');
      const stand = sub.senders?.[FROM];
      assert.ok(stand !== undefined && stand !== FROM, 'a number has one owner: the sub has its own');
      // Checked with the subaccount's own credentials: what the load uses.
      assert.deepEqual(await numbersOf(target.baseUrl, sub.accountSid, sub.authToken), [stand]);
    }
    assert.deepEqual(await numbersOf(target.baseUrl, target.accountSid, target.authToken), [FROM]);
    assert.equal(lines.filter((l) => l.includes('created subaccount')).length, 2);

    // Setup again on the same lab: the same subaccounts and numbers, nothing new bought.
    const again = await provision(target, scenario, () => undefined);
    assert.deepEqual(again.accounts, accounts);
    for (const sub of accounts.slice(1)) {
      assert.equal((await numbersOf(target.baseUrl, sub.accountSid, sub.authToken)).length, 1);
    }
  });
});
