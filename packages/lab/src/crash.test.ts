/**
 * The durability rule, proven: SIGKILL the lab in the middle of an SMS storm, restart it on the
 * same data directory, and every message that got a 201 must still exist and reach a terminal
 * state. A message that got a 201 and then vanished is exactly the bug this catches.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LabInfo } from './types.js';

const script = fileURLToPath(new URL('./testing/lab-process.js', import.meta.url));
const TERMINAL = new Set(['delivered', 'undelivered', 'failed', 'canceled']);

async function launch(
  dataDir: string,
): Promise<{ child: ChildProcess; info: LabInfo; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Subscribed at once: the child may exit before anyone awaits it.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<LabInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lab did not start within 20 s')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as LabInfo);
    });
    child.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
  });
  return { child, info, exited };
}

function auth(info: LabInfo): string {
  return 'Basic ' + Buffer.from(`${info.accountSid}:${info.authToken}`).toString('base64');
}

describe('crash safety of the embedded store', () => {
  it('loses no message that got a 201 when the lab is SIGKILLed mid-storm', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'twilio-lab-crash-'));
    try {
      const first = await launch(dataDir);
      const base = `${first.info.baseUrl}/2010-04-01/Accounts/${first.info.accountSid}`;
      const headers = {
        authorization: auth(first.info),
        'content-type': 'application/x-www-form-urlencoded',
      };
      const number = await fetch(`${base}/IncomingPhoneNumbers.json`, {
        method: 'POST',
        headers,
        body: 'PhoneNumber=%2B15017122661',
      });
      assert.equal(number.status, 201);

      const accepted: string[] = [];
      let killed = false;
      const total = 3_000;
      let next = 0;
      // 32 concurrent senders; the kill lands after 600 acknowledgements, while requests are in flight.
      const worker = async (): Promise<void> => {
        while (next < total && !killed) {
          const i = next++;
          try {
            const res = await fetch(`${base}/Messages.json`, {
              method: 'POST',
              headers,
              body: `To=%2B1555${String(1_000_000 + i)}&From=%2B15017122661&Body=storm+${i}`,
            });
            if (res.status === 201) accepted.push(((await res.json()) as { sid: string }).sid);
            else await res.arrayBuffer();
          } catch {
            // connection reset by the kill: the request was never acknowledged
          }
          if (accepted.length >= 600 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      await first.exited;
      assert.ok(killed, 'the storm reached the kill point');
      assert.ok(accepted.length >= 600);

      const second = await launch(dataDir);
      try {
        assert.equal(
          second.info.accountSid,
          first.info.accountSid,
          'the bootstrap account survives a restart',
        );
        const base2 = `${second.info.baseUrl}/2010-04-01/Accounts/${second.info.accountSid}`;
        const deadline = Date.now() + 60_000;
        const pending = new Set(accepted);
        const lastStatus = new Map<string, string>();
        while (pending.size > 0 && Date.now() < deadline) {
          for (const sid of [...pending]) {
            const res = await fetch(`${base2}/Messages/${sid}.json`, {
              headers: { authorization: auth(second.info) },
            });
            assert.equal(res.status, 200, `message ${sid} acknowledged with 201 must exist after restart`);
            const body = (await res.json()) as { status: string };
            lastStatus.set(sid, body.status);
            if (TERMINAL.has(body.status)) pending.delete(sid);
          }
          if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
        }
        const stuck = [...pending].map((sid) => `${sid}: ${lastStatus.get(sid)}`);
        assert.deepEqual(stuck, [], 'acknowledged messages that never reached a terminal state');
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
