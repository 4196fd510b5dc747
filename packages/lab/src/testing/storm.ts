/**
 * The crash and restart tests' shared parts: a lab in a child process (so it can be SIGKILLed),
 * an SMS storm that records exactly which requests got a 201, and the checks every such test
 * ends with: each acknowledged message exists, reaches a terminal status, and its terminal
 * StatusCallback arrives, with repeated callbacks carrying the same idempotency token.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LabInfo, LabOptions } from '../types.js';
import type { ReceivedHook, WebhookSink } from './sink.js';

const script = fileURLToPath(new URL('./lab-process.js', import.meta.url));
export const TERMINAL = new Set(['delivered', 'undelivered', 'failed', 'canceled']);
export const STORM_FROM = '+15017122661';

export interface LabChild {
  child: ChildProcess;
  info: LabInfo;
  exited: Promise<unknown>;
}

/** Starts `startLab(options)` in a child process; `env` adds to the child's environment. */
export async function launchLab(
  dataDir: string,
  options: LabOptions = {},
  env: Record<string, string> = {},
): Promise<LabChild> {
  const child = spawn(process.execPath, [script, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env, LAB_PROCESS_OPTIONS: JSON.stringify(options) },
  });
  // Subscribed at once: the child may exit before anyone awaits it.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<LabInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lab did not start within 60 s')), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as LabInfo);
    });
    child.once('exit', (code) => reject(new Error(`lab exited early with ${code}`)));
  });
  return { child, info, exited };
}

export async function stopLab(lab: LabChild): Promise<void> {
  if (lab.child.exitCode === null && lab.child.signalCode === null) lab.child.kill('SIGTERM');
  await lab.exited;
}

export function basicAuth(info: LabInfo): string {
  return 'Basic ' + Buffer.from(`${info.accountSid}:${info.authToken}`).toString('base64');
}

export function accountBase(info: LabInfo): string {
  return `${info.baseUrl}/2010-04-01/Accounts/${info.accountSid}`;
}

export async function buyStormNumber(info: LabInfo): Promise<void> {
  const res = await fetch(`${accountBase(info)}/IncomingPhoneNumbers.json`, {
    method: 'POST',
    headers: { authorization: basicAuth(info), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ PhoneNumber: STORM_FROM }).toString(),
  });
  assert.equal(res.status, 201, await res.text());
}

export interface StormResult {
  accepted: string[];
  /** HTTP status → count, for everything answered (201s included). */
  statuses: Map<number, number>;
  /** Twilio error codes of the non-201 answers. */
  errorCodes: Map<number, number>;
  /** Requests that got no answer (connection reset by a kill). */
  unanswered: number;
}

export interface StormOptions {
  info: LabInfo;
  total: number;
  concurrency: number;
  statusCallback?: string;
  /** Called after every answer; return true to stop sending. */
  onAnswer?: (result: StormResult) => boolean | void;
  /** Pause between one worker's requests (keeps a storm running across an outage). */
  pauseMs?: number;
}

/** Sends up to `total` messages to distinct numbers from `concurrency` workers. */
export async function smsStorm(o: StormOptions): Promise<StormResult> {
  const result: StormResult = { accepted: [], statuses: new Map(), errorCodes: new Map(), unanswered: 0 };
  const headers = { authorization: basicAuth(o.info), 'content-type': 'application/x-www-form-urlencoded' };
  const url = `${accountBase(o.info)}/Messages.json`;
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (next < o.total && !stop) {
      const i = next++;
      const form = new URLSearchParams({ To: `+1555${1_000_000 + i}`, From: STORM_FROM, Body: `storm ${i}` });
      if (o.statusCallback !== undefined) form.set('StatusCallback', o.statusCallback);
      try {
        const res = await fetch(url, { method: 'POST', headers, body: form.toString() });
        result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
        const body = (await res.json()) as { sid?: string; code?: number };
        if (res.status === 201 && body.sid !== undefined) result.accepted.push(body.sid);
        else if (body.code !== undefined)
          result.errorCodes.set(body.code, (result.errorCodes.get(body.code) ?? 0) + 1);
      } catch {
        result.unanswered++;
      }
      if (o.onAnswer?.(result) === true) stop = true;
      if (o.pauseMs !== undefined) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return result;
}

/** Polls every acknowledged message until it is terminal; fails naming the ones that are not. */
export async function assertAllTerminal(
  info: LabInfo,
  sids: readonly string[],
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(sids);
  const lastStatus = new Map<string, string>();
  while (pending.size > 0 && Date.now() < deadline) {
    for (const sid of [...pending]) {
      const res = await fetch(`${accountBase(info)}/Messages/${sid}.json`, {
        headers: { authorization: basicAuth(info) },
      });
      assert.equal(res.status, 200, `message ${sid} was acknowledged with a 201 and must exist`);
      const body = (await res.json()) as { status: string };
      lastStatus.set(sid, body.status);
      if (TERMINAL.has(body.status)) pending.delete(sid);
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  const stuck = [...pending].slice(0, 20).map((sid) => `${sid}: ${lastStatus.get(sid)}`);
  assert.deepEqual(stuck, [], `${pending.size} acknowledged messages never reached a terminal status`);
}

/**
 * Every acknowledged message's terminal callback reached the sink, and a callback delivered
 * more than once (a retry after a crash) carried the same I-Twilio-Idempotency-Token.
 */
export async function assertCallbacks(
  sink: WebhookSink,
  sids: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const terminalSeen = (): Set<string> =>
    new Set(
      sink.received
        .filter((h) => TERMINAL.has(h.params.MessageStatus ?? ''))
        .map((h) => h.params.MessageSid ?? ''),
    );
  let missing = sids.filter((sid) => !terminalSeen().has(sid));
  while (missing.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const seen = terminalSeen();
    missing = missing.filter((sid) => !seen.has(sid));
  }
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} terminal StatusCallbacks never arrived`);
  const tokens = new Map<string, Set<string>>();
  for (const hook of sink.received) {
    const key = `${hook.params.MessageSid} ${hook.params.MessageStatus}`;
    const token = String(hook.headers['i-twilio-idempotency-token'] ?? '');
    assert.notEqual(token, '', 'every callback carries an idempotency token');
    const set = tokens.get(key) ?? new Set<string>();
    set.add(token);
    tokens.set(key, set);
  }
  const inconsistent = [...tokens].filter(([, set]) => set.size > 1).map(([key]) => key);
  assert.deepEqual(inconsistent, [], 'a repeated callback must carry the same idempotency token');
}

/** Callbacks of one message seen so far (tests look for what arrived before a kill). */
export function callbacksOf(sink: WebhookSink, sid: string): ReceivedHook[] {
  return sink.received.filter((h) => h.params.MessageSid === sid);
}

/** A free loopback port (for an engine the test starts itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
