/**
 * End-to-end: the embedded lab driven by the official `twilio` client, with a local webhook
 * sink playing the customer's app and the lab control API playing the phones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { labClient } from '@twilio-lab/client';
import { startLab } from './lab.js';
import type { LabOptions, RunningLab } from './types.js';
import { dropNamespace, realBackend } from './testing/real-engines.js';
import { WebhookSink } from './testing/sink.js';
import { ControlClient } from './testing/control-client.js';

const FROM = '+15017122661';
type Client = ReturnType<typeof labClient>;

/** Sum of the samples of `name` in a Prometheus text exposition whose labels include `labels`. */
function sampleSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const close = line.lastIndexOf('} ');
    const labelText = line.slice(name.length + 1, close);
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) {
      sum += Number(line.slice(close + 2));
    }
  }
  return sum;
}

function restCode(err: unknown): { code: number; status: number } {
  const e = err as { code?: number; status?: number };
  return { code: e.code ?? -1, status: e.status ?? -1 };
}

const BACKENDS = [
  { name: 'embedded', options: (): LabOptions => ({ ephemeral: true }) },
  { name: 'real (PostgreSQL, Kafka, Redis)', options: (): LabOptions => realBackend('e2e') },
] as const;

for (const backend of BACKENDS) {
  describe(`lab on ${backend.name} backends through the official twilio client`, () => {
    let lab: RunningLab;
    let options: LabOptions;
    let client: Client;
    let sink: WebhookSink;
    let control: ControlClient;

    before(async () => {
      options = backend.options();
      lab = await startLab({ port: 0, log: 'silent', ...options });
      client = labClient(lab.info.baseUrl, lab.info.accountSid, lab.info.authToken);
      sink = await new WebhookSink().start();
      control = new ControlClient(lab.info.baseUrl, lab.info.adminToken);
      await client.incomingPhoneNumbers.create({ phoneNumber: FROM, smsUrl: `${sink.url}/sms` });
    });

    after(async () => {
      await lab.close(5_000);
      await sink.close();
      if (options.namespace !== undefined) await dropNamespace(options.namespace);
    });

    it('sends an SMS and reports every status change through signed callbacks', async () => {
      const to = '+15558670001';
      const msg = await client.messages.create({
        from: FROM,
        to,
        body: 'Hello from the lab',
        statusCallback: `${sink.url}/status`,
      });
      assert.match(msg.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(msg.status, 'queued');
      assert.equal(msg.direction, 'outbound-api');
      assert.equal(msg.numSegments, '1');

      const delivered = await sink.waitFor(
        (h) => h.params.MessageSid === msg.sid && h.params.MessageStatus === 'delivered',
      );
      const statuses = sink.received
        .filter((h) => h.params.MessageSid === msg.sid)
        .map((h) => h.params.MessageStatus);
      assert.deepEqual(statuses, ['sending', 'sent', 'delivered']);
      const signature = delivered.headers['x-twilio-signature'];
      assert.equal(typeof signature, 'string');
      assert.ok(
        twilio.validateRequest(
          lab.info.authToken,
          signature as string,
          `${sink.url}/status`,
          delivered.params,
        ),
        'the official client validates the callback signature',
      );
      assert.equal(delivered.params.AccountSid, lab.info.accountSid);
      assert.equal(delivered.params.To, to);

      const fetched = await client.messages(msg.sid).fetch();
      assert.equal(fetched.status, 'delivered');
      assert.ok(fetched.dateSent instanceof Date);
      const inbox = await control.inbox(to);
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0]!.body, 'Hello from the lab');
      assert.equal(inbox[0]!.message_sid, msg.sid);
    });

    it('serves one registry on /metrics that the messaging pipeline and the webhooks feed', async () => {
      // After the SMS above: its acceptance, its statuses and its three delivered callbacks.
      const res = await fetch(`${lab.info.baseUrl}/metrics`);
      assert.equal(res.status, 200);
      const text = await res.text();
      const lab1 = { process: 'lab', region: 'us1', cell: 'cell-1' };
      const accepted = { ...lab1, direction: 'outbound-api', tier: 'full' };
      assert.ok(sampleSum(text, 'twilio_lab_messages_accepted_total', accepted) >= 1, 'accepted');
      const delivered = { ...lab1, status: 'delivered' };
      assert.ok(sampleSum(text, 'twilio_lab_message_status_transitions_total', delivered) >= 1, 'delivered');
      const attempts = { ...lab1, kind: 'message-status', outcome: '2xx' };
      assert.ok(sampleSum(text, 'twilio_lab_webhook_attempts_total', attempts) >= 3, 'webhook attempts');
      const gateway = { ...lab1, product: 'api', method: 'POST', status_class: '2xx' };
      assert.ok(
        sampleSum(text, 'twilio_lab_http_requests_total', gateway) >= 1,
        'the gateway, same registry',
      );
      assert.match(text, /^twilio_lab_queue_consumer_lag_messages\{[^}]*queue="messages.outbound"/m);
    });

    it('keeps bodies byte for byte: unicode, emoji, 1,600 characters, SQL- and XML-looking text', async () => {
      const bodies = [
        'Grüße, 你好, مرحبا 👋🏽 — “quotes”',
        "Robert'); DROP TABLE messages;--",
        '<?xml version="1.0"?><Response><Say>&amp; hi</Say></Response>',
        'x'.repeat(1_599) + '€',
        'a+b=c & d%20e',
      ];
      for (const [i, body] of bodies.entries()) {
        const to = `+1555867100${i}`;
        const msg = await client.messages.create({ from: FROM, to, body });
        assert.equal(msg.body, body);
        assert.equal((await client.messages(msg.sid).fetch()).body, body);
        const received = await control.until(
          async () => (await control.inbox(to))[0],
          10_000,
          `delivery to ${to}`,
        );
        assert.equal(received.body, body);
      }
    });

    it('answers bad input with Twilio error codes the client understands', async () => {
      const cases: [Record<string, string>, number][] = [
        [{ from: FROM, to: 'not-a-number', body: 'x' }, 21211],
        [{ from: FROM, to: '+15558670002' }, 21602],
        [{ from: '+15550000000', to: '+15558670002', body: 'x' }, 21606],
        [{ from: FROM, to: '+15005550001', body: 'x' }, 21211],
        [{ from: FROM, to: '+15005550004', body: 'x' }, 21610],
      ];
      for (const [params, code] of cases) {
        await assert.rejects(
          client.messages.create(params as unknown as Parameters<Client['messages']['create']>[0]),
          (err: unknown) => {
            assert.deepEqual(restCode(err), { code, status: 400 }, JSON.stringify(params));
            return true;
          },
        );
      }
      await assert.rejects(client.messages('SM' + '0'.repeat(32)).fetch(), (err: unknown) => {
        assert.deepEqual(restCode(err), { code: 20404, status: 404 });
        return true;
      });
      const wrong = labClient(lab.info.baseUrl, lab.info.accountSid, 'f'.repeat(32));
      await assert.rejects(wrong.messages.list({ limit: 1 }), (err: unknown) => {
        assert.deepEqual(restCode(err), { code: 20003, status: 401 });
        return true;
      });
    });

    it('pages through messages with list() and each()', async () => {
      const to = '+15558672222';
      const sids = new Set<string>();
      for (let i = 0; i < 23; i++)
        sids.add((await client.messages.create({ from: FROM, to, body: `m${i}` })).sid);
      const listed = await client.messages.list({ to, pageSize: 5 });
      assert.equal(listed.length, 23);
      assert.deepEqual(new Set(listed.map((m) => m.sid)), sids);
      const seen: string[] = [];
      await client.messages.each({ to, pageSize: 7 }, (m) => {
        seen.push(m.sid);
      });
      assert.equal(seen.length, 23);
      assert.equal(new Set(seen).size, 23);
    });

    it('sends through a messaging service that picks the sender', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'lab service' });
      assert.match(service.sid, /^MG[0-9a-f]{32}$/);
      const number = await client.incomingPhoneNumbers.create({ phoneNumber: '+15017120002' });
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
      const services = await client.messaging.v1.services.list({ pageSize: 1 });
      assert.ok(services.length >= 1);

      const to = '+15558673333';
      const msg = await client.messages.create({ messagingServiceSid: service.sid, to, body: 'via service' });
      assert.equal(msg.status, 'accepted');
      const received = await control.until(
        async () => (await control.inbox(to))[0],
        10_000,
        'service delivery',
      );
      assert.equal(received.from, '+15017120002');
      assert.equal((await client.messages(msg.sid).fetch()).from, '+15017120002');
    });

    it('runs the number’s TwiML for an inbound SMS and honours STOP', async () => {
      const handset = '+15558674444';
      sink.on('/sms', (hook) =>
        hook.params.Body === 'hello?'
          ? {
              status: 200,
              contentType: 'text/xml',
              body: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &amp; welcome</Message></Response>',
            }
          : { status: 200, contentType: 'text/xml', body: '<Response/>' },
      );
      await control.send(handset, FROM, 'hello?');
      const inbound = await sink.waitFor((h) => h.path === '/sms' && h.params.From === handset);
      assert.equal(inbound.params.To, FROM);
      assert.match(inbound.params.MessageSid ?? '', /^SM[0-9a-f]{32}$/);
      const reply = await control.until(
        async () => (await control.inbox(handset)).find((m) => m.direction === 'in'),
        10_000,
        'TwiML reply',
      );
      assert.equal(reply.body, 'Thanks & welcome');
      assert.equal(reply.from, FROM);

      await control.send(handset, FROM, 'STOP');
      await control.until(
        async () => {
          try {
            await client.messages.create({ from: FROM, to: handset, body: 'after stop' });
            return undefined;
          } catch (err) {
            return restCode(err).code === 21610 ? true : undefined;
          }
        },
        10_000,
        'opt-out',
      );
      await control.send(handset, FROM, 'START');
      const resumed = await control.until(
        async () => {
          try {
            return await client.messages.create({ from: FROM, to: handset, body: 'welcome back' });
          } catch {
            return undefined;
          }
        },
        10_000,
        'opt-in',
      );
      assert.equal(resumed.status, 'queued');
    });

    it('looks numbers up (Lookup v2) with the carrier the super-network routes them to', async () => {
      const found = await client.lookups.v2
        .phoneNumbers('+14155550100')
        .fetch({ fields: 'line_type_intelligence' });
      assert.equal(found.valid, true);
      assert.equal(found.countryCode, 'US');
      assert.equal(found.nationalFormat, '(415) 555-0100');
      const line = found.lineTypeIntelligence as { carrierName: string | null; type: string | null };
      assert.equal(line.carrierName, 'us-mobile-east', 'the carrier the super-network routes +1 415 to');
      assert.equal(found.callerName, null, 'packages not asked for are null');
    });

    it('verifies a phone number (Verify v2): the code reaches the handset and checks out once', async () => {
      const service = await client.verify.v2.services.create({ friendlyName: 'Lab Shop', codeLength: 6 });
      const to = '+15558670077';
      const started = await service.verifications().create({ to, channel: 'sms' });
      assert.equal(started.status, 'pending');
      // The carrier delivers to the handset after it accepted the submit: poll its inbox.
      let text = '';
      for (let i = 0; i < 100 && text === ''; i++) {
        text = (await control.inbox(to)).at(-1)?.body ?? '';
        if (text === '') await new Promise((r) => setTimeout(r, 50));
      }
      const code = /(\d{6})/.exec(text)?.[1];
      assert.ok(code !== undefined, `a 6-digit code in the handset's message: ${text}`);
      assert.match(text, /Lab Shop/);
      const wrong = await service
        .verificationChecks()
        .create({ to, code: code === '000000' ? '111111' : '000000' });
      assert.equal(wrong.status, 'pending');
      const right = await service.verificationChecks().create({ to, code });
      assert.equal(right.status, 'approved');
      assert.equal(right.valid, true);
      await assert.rejects(
        service.verificationChecks().create({ to, code }),
        (err: unknown) => restCode(err).status === 404,
      );
    });

    it('creates subaccounts and API keys that authenticate', async () => {
      const sub = await client.api.v2010.accounts.create({ friendlyName: 'tenant A' });
      assert.equal(sub.ownerAccountSid, lab.info.accountSid);
      const key = await client.newKeys.create({ friendlyName: 'ci key' });
      assert.match(key.sid, /^SK[0-9a-f]{32}$/);
      const keyed = labClient(lab.info.baseUrl, lab.info.accountSid, '', {
        apiKey: { sid: key.sid, secret: key.secret },
      });
      const page = await keyed.messages.list({ limit: 1 });
      assert.equal(page.length, 1);

      // A subaccount's own credentials cannot read the parent's messages.
      const subClient = labClient(lab.info.baseUrl, sub.sid, sub.authToken);
      assert.deepEqual(await subClient.messages.list({ limit: 5 }), []);
      const parentMessage = (await client.messages.list({ limit: 1 }))[0]!;
      await assert.rejects(
        subClient.api.v2010.accounts(lab.info.accountSid).messages(parentMessage.sid).fetch(),
        (err: unknown) => restCode(err).status === 404,
      );
      // The parent may act for its subaccount.
      const ofSub = await client.api.v2010.accounts(sub.sid).messages.list({ limit: 5 });
      assert.deepEqual(ofSub, []);

      await client.keys(key.sid).remove();
      await assert.rejects(keyed.messages.list({ limit: 1 }), (err: unknown) => restCode(err).code === 20003);

      await client.api.v2010.accounts(sub.sid).update({ status: 'suspended' });
      await assert.rejects(
        subClient.messages.list({ limit: 1 }),
        (err: unknown) => restCode(err).status === 401,
      );
    });
  });
}
