/**
 * The shipped experiments, proven against a real lab: chaos/webhook-black-hole.yaml on the
 * embedded lab (callbacks to a sink behind Toxiproxy), chaos/postgres-latency.yaml on a lab whose
 * PostgreSQL connection goes through Toxiproxy. Each test starts its own Toxiproxy.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { startLab, type RunningLab } from '@twilio-lab/lab';
import { runExperiment } from './experiment.js';
import { loadExperimentFile } from './parse.js';
import { formatExperimentReport } from './report.js';
import { ToxiproxyClient } from './toxiproxy.js';
import type { JournalEntry } from './types.js';
import { startOwnToxiproxy, type OwnToxiproxy } from './testing/toxiproxy-server.js';
import { WebhookSink, projectFile } from './testing/webhook-sink.js';

const FROM = '+15017122661';
const MAX_ATTEMPTS = 6; // the webhook dispatcher's default attempt limit

function basic(lab: RunningLab): string {
  return `Basic ${Buffer.from(`${lab.info.accountSid}:${lab.info.authToken}`).toString('base64')}`;
}

async function buyNumber(lab: RunningLab): Promise<void> {
  const res = await fetch(
    `${lab.info.baseUrl}/2010-04-01/Accounts/${lab.info.accountSid}/IncomingPhoneNumbers.json`,
    {
      method: 'POST',
      headers: { authorization: basic(lab), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ PhoneNumber: FROM }).toString(),
    },
  );
  assert.equal(res.status, 201, await res.text());
}

function labVars(lab: RunningLab): Record<string, string> {
  return {
    LAB_URL: lab.info.baseUrl,
    LAB_ADMIN_TOKEN: lab.info.adminToken,
    ACCOUNT_SID: lab.info.accountSid,
    AUTH_TOKEN: lab.info.authToken,
    FROM,
  };
}

describe('chaos/webhook-black-hole.yaml on the embedded lab', () => {
  let toxiproxy: OwnToxiproxy;
  let lab: RunningLab;
  let sink: WebhookSink;
  let proxyPort: number;

  before(async () => {
    toxiproxy = await startOwnToxiproxy();
    sink = await new WebhookSink().start();
    const proxy = await new ToxiproxyClient(toxiproxy.url).createProxy(
      'webhook-egress',
      '127.0.0.1:0',
      `127.0.0.1:${sink.port}`,
    );
    proxyPort = Number(proxy.listen.split(':').pop());
    lab = await startLab({ port: 0, ephemeral: true, log: 'silent' });
    await buyNumber(lab);
  });

  after(async () => {
    await lab?.close(5000);
    await sink?.close();
    await toxiproxy?.close();
  });

  it('holds: accepts during the black hole, every callback arrives after it, none dead-lettered', async () => {
    const experiment = await loadExperimentFile(projectFile('chaos/webhook-black-hole.yaml'));
    const journal: JournalEntry[] = [];
    const expected = ['sending', 'sent', 'delivered'];
    const report = await runExperiment(experiment, {
      toxiproxyUrl: toxiproxy.url,
      vars: { ...labVars(lab), CALLBACK_URL: `http://127.0.0.1:${proxyPort}/status` },
      onJournal: (e) => journal.push(e),
      probes: {
        'callbacks-complete': async () => {
          const res = await fetch(
            `${lab.info.baseUrl}/2010-04-01/Accounts/${lab.info.accountSid}/Messages.json?PageSize=1000`,
            {
              headers: { authorization: basic(lab) },
            },
          );
          const sids = ((await res.json()) as { messages: { sid: string }[] }).messages.map((m) => m.sid);
          let missing = 0;
          let mostDeliveries = 0;
          for (const sid of sids) {
            for (const status of expected) {
              const n = sink.received.filter(
                (h) => h.params.MessageSid === sid && h.params.MessageStatus === status,
              ).length;
              if (n === 0) missing++;
              mostDeliveries = Math.max(mostDeliveries, n);
            }
          }
          return {
            value: missing,
            ok: missing === 0 && mostDeliveries <= MAX_ATTEMPTS,
            detail: `${sids.length} messages, ${missing} callbacks missing, at most ${mostDeliveries} deliveries of one callback`,
          };
        },
      },
    });
    const text = formatExperimentReport(report);
    assert.equal(report.outcome, 'held', text);
    assert.equal(report.rollback.ok, true);

    // The API was exercised while the link was black-holed, and those checks count.
    const accepts = report.summaries.find((s) => s.probe === 'accepts-with-callback' && s.phase === 'during');
    assert.ok(
      accepts !== undefined && accepts.verdict === 'held' && accepts.checks - accepts.inconclusive >= 1,
      text,
    );

    // Nothing crossed the link while it was black-holed (a margin covers bytes in flight at injection).
    const injected = Date.parse(journal.find((e) => e.event === 'inject')?.time ?? '');
    const reverted = Date.parse(journal.find((e) => e.event === 'revert')?.time ?? '');
    assert.ok((journal.find((e) => e.event === 'revert')?.tMs ?? 0) >= 5000, 'the fault lasted its 5 s');
    assert.deepEqual(
      sink.received.filter((h) => h.at > injected + 200 && h.at < reverted),
      [],
    );
    assert.ok(
      sink.received.some((h) => h.at >= reverted),
      'callbacks held back by the black hole arrived after it',
    );

    // Every callback at least once, none more often than the attempt limit, no dead letters.
    const counts = new Map<string, number>();
    for (const h of sink.received) {
      const key = `${h.params.MessageSid}/${h.params.MessageStatus}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.ok(Math.max(...counts.values()) <= MAX_ATTEMPTS);
    const dead = await fetch(`${lab.info.baseUrl}/lab/v1/DeadLetters`, {
      headers: { authorization: `Bearer ${lab.info.adminToken}` },
    });
    const letters = ((await dead.json()) as { dead_letters: unknown[] }).dead_letters;
    assert.deepEqual(letters, [], 'dead letters');
    const complete = report.summaries.find((s) => s.probe === 'callbacks-complete');
    assert.equal(complete?.verdict, 'held');
    assert.equal(complete?.last, 0);
  });
});

// ---- PostgreSQL latency on the real engines -------------------------------------------------

const databaseUrl =
  process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ''
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:15432/postgres';
const pg = new URL(databaseUrl);

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Drops the lab's schemas (psql, best effort: leftovers only cost disk). */
function dropSchemas(prefix: string): Promise<void> {
  const sql = `DO $$ DECLARE r record; BEGIN FOR r IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '${prefix}%' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname); END LOOP; END $$;`;
  return new Promise((resolve) =>
    execFile('psql', [databaseUrl, '-q', '-c', sql], { timeout: 20_000 }, () => resolve()),
  );
}

describe('chaos/postgres-latency.yaml on a lab with real backends', async () => {
  const available = await reachable(pg.hostname, Number(pg.port || 5432));
  let toxiproxy: OwnToxiproxy;
  let lab: RunningLab;
  const namespace = `t_chaos_${process.pid}_${randomBytes(3).toString('hex')}`;

  before(async () => {
    if (!available) return;
    toxiproxy = await startOwnToxiproxy();
    const proxy = await new ToxiproxyClient(toxiproxy.url).createProxy(
      'us1.cell-1.postgres',
      '127.0.0.1:0',
      `${pg.hostname}:${pg.port || 5432}`,
    );
    const through = new URL(databaseUrl);
    through.hostname = '127.0.0.1';
    through.port = proxy.listen.split(':').pop() ?? '';
    lab = await startLab({
      port: 0,
      log: 'silent',
      backend: 'real',
      namespace,
      engines: { databaseUrl: through.toString() },
    });
    await buyNumber(lab);
  });

  after(async () => {
    if (!available) return;
    await lab?.close(5000);
    await toxiproxy?.close();
    await dropSchemas(namespace);
  });

  it(
    'holds: accept latency grows by the added 200 ms, nothing fails, and it recovers',
    { skip: available ? false : `no PostgreSQL at ${pg.host}` },
    async () => {
      const experiment = await loadExperimentFile(projectFile('chaos/postgres-latency.yaml'));
      const report = await runExperiment(experiment, { toxiproxyUrl: toxiproxy.url, vars: labVars(lab) });
      const text = formatExperimentReport(report);
      assert.equal(report.outcome, 'held', text);
      const during = report.summaries.find((s) => s.phase === 'during');
      assert.ok(during !== undefined && during.checks - during.inconclusive >= 1, text);
      assert.ok((during.min ?? 0) >= 200, text);
      const beforeP50 = report.summaries.find((s) => s.phase === 'before')?.last;
      const afterP50 = report.summaries.find((s) => s.phase === 'after')?.last;
      assert.equal(typeof beforeP50, 'number');
      assert.equal(typeof afterP50, 'number');
      assert.deepEqual(
        report.faults.filter((e) => e.event === 'inject').map((e) => e.resolved),
        [['us1.cell-1.postgres']],
      );
      console.log(text);
    },
  );
});
