/**
 * The durability rule, proven: SIGKILL the lab in the middle of an SMS storm, restart it on the
 * same data (the SQLite file, or the PostgreSQL schemas and Kafka topics), and every message
 * that got a 201 must still exist, reach a terminal state and have its terminal StatusCallback
 * delivered; a message whose delivery receipt was processed before the kill must not reach the
 * handset again. A message that got a 201 and then vanished is exactly the bug this catches.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlClient } from './testing/control-client.js';
import { dropNamespace, realBackend } from './testing/real-engines.js';
import { WebhookSink } from './testing/sink.js';
import {
  assertAllTerminal,
  assertCallbacks,
  buyStormNumber,
  callbacksOf,
  launchLab,
  smsStorm,
  stopLab,
} from './testing/storm.js';
import type { LabOptions } from './types.js';

const VARIANTS: { name: string; options: () => LabOptions }[] = [
  { name: 'the embedded store (SQLite)', options: () => ({}) },
  { name: 'the real engines (PostgreSQL, Kafka, Redis)', options: () => realBackend('crash') },
];

for (const variant of VARIANTS) {
  describe(`crash safety on ${variant.name}`, () => {
    it('loses no message that got a 201 when the lab is SIGKILLed mid-storm', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'twilio-lab-crash-'));
      const options = variant.options();
      const sink = await new WebhookSink().start();
      try {
        const first = await launchLab(dataDir, options);
        await buyStormNumber(first.info);
        let killed = false;
        // 32 concurrent senders; the kill lands after 600 acknowledgements, with requests in flight.
        const storm = await smsStorm({
          info: first.info,
          total: 3_000,
          concurrency: 32,
          statusCallback: `${sink.url}/status`,
          onAnswer: (r) => {
            if (r.accepted.length >= 600 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
            return killed;
          },
        });
        await first.exited;
        assert.ok(killed, 'the storm reached the kill point');
        assert.ok(storm.accepted.length >= 600);
        const deliveredBeforeKill = storm.accepted.filter((sid) =>
          callbacksOf(sink, sid).some((h) => h.params.MessageStatus === 'delivered'),
        );

        const second = await launchLab(dataDir, options);
        try {
          assert.equal(
            second.info.accountSid,
            first.info.accountSid,
            'the bootstrap account survives a restart',
          );
          await assertAllTerminal(second.info, storm.accepted);
          await assertCallbacks(sink, storm.accepted);
          // Handsets are fresh after the restart: anything in their inboxes was sent after it.
          const control = new ControlClient(second.info.baseUrl, second.info.adminToken);
          const toOf = new Map(sink.received.map((h) => [h.params.MessageSid, h.params.To]));
          const resent: string[] = [];
          for (const sid of deliveredBeforeKill.slice(0, 300)) {
            const to = toOf.get(sid);
            if (to !== undefined && (await control.inbox(to)).some((m) => m.message_sid === sid))
              resent.push(sid);
          }
          assert.deepEqual(
            resent,
            [],
            'a message delivered (receipt processed) before the kill was sent again',
          );
        } finally {
          await stopLab(second);
        }
      } finally {
        await sink.close();
        await rm(dataDir, { recursive: true, force: true });
        if (options.namespace !== undefined) await dropNamespace(options.namespace);
      }
    });
  });
}
