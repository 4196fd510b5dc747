/**
 * Engines restarting under a storm. Each test starts its OWN PostgreSQL or Kafka (fresh folder,
 * free ports) so that stopping it cannot disturb the other tests on the shared engines.
 *
 * PostgreSQL down: the API answers 503 / 20503 (Twilio-shaped) instead of accepting what it
 * cannot keep, and everything it did acknowledge is delivered once PostgreSQL is back.
 * Kafka down: the store still takes messages (201), their pointers wait for the broker, and
 * every acknowledged message is delivered once Kafka is back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, start, startService, stop, stopService } from '@twilio-lab/infra';
import type { InfraOptions } from '@twilio-lab/infra';
import { dropNamespace, realBackend } from './testing/real-engines.js';
import { WebhookSink } from './testing/sink.js';
import {
  assertAllTerminal,
  assertCallbacks,
  buyStormNumber,
  freePort,
  launchLab,
  smsStorm,
  stopLab,
} from './testing/storm.js';

async function ownEngine(
  service: 'postgres' | 'kafka',
): Promise<{ options: InfraOptions; env: Record<string, string>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `twilio-lab-${service}-`));
  await chmod(dir, 0o755); // PostgreSQL runs as user postgres, which must be able to enter it
  // The jars the test command installed in the project's infra folder.
  const shared = resolveConfig({});
  const options: InfraOptions = {
    dir,
    kafkaLibsDir: join(shared.dir, 'kafka', 'libs'),
    postgresSharedBuffers: '128MB',
    kafkaHeap: '512m',
    ports:
      service === 'postgres'
        ? { postgres: await freePort() }
        : { kafka: await freePort(), kafkaController: await freePort() },
  };
  const [report] = await start([service], options);
  assert.equal(report?.ok, true, report?.message);
  const env: Record<string, string> =
    service === 'postgres'
      ? { DATABASE_URL: `postgres://postgres@127.0.0.1:${options.ports!.postgres}/postgres` }
      : { KAFKA_BROKERS: `127.0.0.1:${options.ports!.kafka}` };
  return { options, env, dir };
}

async function removeEngine(service: 'postgres' | 'kafka', engine: { options: InfraOptions; dir: string }) {
  await stop([service], engine.options).catch(() => undefined);
  await rm(engine.dir, { recursive: true, force: true });
}

describe('engine restarts during a storm', () => {
  it('PostgreSQL down: 503 / 20503 while it is away, every 201 delivered after it returns', async () => {
    const engine = await ownEngine('postgres');
    const dataDir = await mkdtemp(join(tmpdir(), 'twilio-lab-pg-restart-'));
    const sink = await new WebhookSink().start();
    const options = realBackend('pgrestart');
    try {
      const lab = await launchLab(dataDir, options, engine.env);
      try {
        await buyStormNumber(lab.info);
        let phase: 'before' | 'down' | 'after' = 'before';
        let answersWhileDown = 0;
        const outage = (async () => {
          while (phase === 'before') await new Promise((r) => setTimeout(r, 20));
          await stopService('postgres', engine.options);
          while (answersWhileDown < 40) await new Promise((r) => setTimeout(r, 20));
          await startService('postgres', engine.options);
          phase = 'after';
        })();
        const storm = await smsStorm({
          info: lab.info,
          total: 3_000,
          concurrency: 16,
          pauseMs: 5,
          statusCallback: `${sink.url}/status`,
          onAnswer: (r) => {
            if (phase === 'before' && r.accepted.length >= 300) phase = 'down';
            else if (phase === 'down') answersWhileDown++;
            // Keep going until the outage is over and the storm has run on the restarted engine.
            return phase === 'after' && r.accepted.length >= 900;
          },
        });
        await outage;
        assert.ok(
          (storm.statuses.get(503) ?? 0) > 0,
          `no 503 while PostgreSQL was down: ${[...storm.statuses]}`,
        );
        assert.deepEqual(
          [...storm.statuses.keys()].filter((s) => s !== 201 && s !== 503),
          [],
          'only 201 or 503 while the store comes and goes',
        );
        assert.deepEqual([...storm.errorCodes.keys()], [20503], 'every refusal is Twilio-shaped 20503');
        assert.equal(storm.unanswered, 0);
        await assertAllTerminal(lab.info, storm.accepted);
        await assertCallbacks(sink, storm.accepted);
      } finally {
        await stopLab(lab);
      }
    } finally {
      await sink.close();
      await rm(dataDir, { recursive: true, force: true });
      await dropNamespace(options.namespace).catch(() => undefined);
      await removeEngine('postgres', engine);
    }
  });

  it('Kafka down: messages are still accepted, and every 201 is delivered once the broker is back', async () => {
    const engine = await ownEngine('kafka');
    const dataDir = await mkdtemp(join(tmpdir(), 'twilio-lab-kafka-restart-'));
    const sink = await new WebhookSink().start();
    const options = realBackend('kafkarestart');
    try {
      const lab = await launchLab(dataDir, options, engine.env);
      try {
        await buyStormNumber(lab.info);
        let phase: 'before' | 'down' | 'after' = 'before';
        let acceptedAtStop = 0;
        const outage = (async () => {
          while (phase === 'before') await new Promise((r) => setTimeout(r, 20));
          await stopService('kafka', engine.options);
          await new Promise((r) => setTimeout(r, 3_000));
          await startService('kafka', engine.options);
          phase = 'after';
        })();
        const storm = await smsStorm({
          info: lab.info,
          total: 3_000,
          concurrency: 16,
          pauseMs: 5,
          statusCallback: `${sink.url}/status`,
          onAnswer: (r) => {
            if (phase === 'before' && r.accepted.length >= 300) {
              phase = 'down';
              acceptedAtStop = r.accepted.length;
            }
            return phase === 'after' && r.accepted.length >= acceptedAtStop + 600;
          },
        });
        await outage;
        assert.deepEqual([...storm.statuses.keys()], [201], 'the store keeps accepting while Kafka is away');
        await assertAllTerminal(lab.info, storm.accepted, 120_000);
        await assertCallbacks(sink, storm.accepted);
      } finally {
        await stopLab(lab);
      }
    } finally {
      await sink.close();
      await rm(dataDir, { recursive: true, force: true });
      await dropNamespace(options.namespace).catch(() => undefined);
      await removeEngine('kafka', engine);
    }
  });
});
