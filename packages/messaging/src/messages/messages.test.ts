import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHarness } from '../test-support.js';
import type { Harness } from '../test-support.js';

const FROM = '+14155550300';
const TO = '+14155550301';

type Json = Record<string, unknown>;

describe('Messages resource', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
  });
  after(() => h.close());

  it('creates (201, queued, outbound-api, 2010 shape) and fetches', async () => {
    const res = await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: 'hello' });
    assert.equal(res.status, 201);
    const m = res.json;
    assert.match(String(m.sid), /^SM[0-9a-f]{32}$/);
    assert.equal(m.status, 'queued');
    assert.equal(m.direction, 'outbound-api');
    assert.equal(m.from, FROM);
    assert.equal(m.to, TO);
    assert.equal(m.body, 'hello');
    assert.equal(m.num_segments, '1');
    assert.equal(m.num_media, '0');
    assert.equal(m.price, null);
    assert.equal(m.price_unit, 'USD');
    assert.equal(m.api_version, '2010-04-01');
    assert.equal(m.error_code, null);
    assert.equal(m.date_sent, null);
    assert.equal(m.uri, `/2010-04-01/Accounts/${h.account.sid}/Messages/${String(m.sid)}.json`);
    assert.deepEqual(m.subresource_uris, {
      media: `/2010-04-01/Accounts/${h.account.sid}/Messages/${String(m.sid)}/Media.json`,
    });
    const fetched = await h.call('GET', h.api(`/Messages/${String(m.sid)}.json`));
    assert.equal(fetched.status, 200);
    assert.equal(fetched.json.sid, m.sid);
    // The fake carrier accepts: the pipeline moves it to 'sent' with a price.
    const sent = await eventually(async () => {
      const now = await h.message(String(m.sid));
      return now.status === 'sent' ? now : undefined;
    }, 'message sent');
    assert.equal(sent.price, '-0.00790');
    assert.notEqual(sent.date_sent, null);
  });

  it('stores bodies byte for byte', async () => {
    const bodies = [
      'héllo wörld — ñ',
      '👋🏽 family 👨‍👩‍👧 flags 🇫🇷',
      "'; DROP TABLE messages; --",
      '<Response><Message>x</Message></Response> &amp; ]]> <![CDATA[',
      'line1\r\nline2\ttab\u0000nul',
      '  leading and trailing  ',
      '+plus %20 percent & amp = eq',
    ];
    for (const body of bodies) {
      const res = await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: body });
      assert.equal(res.status, 201);
      assert.equal(res.json.body, body);
      assert.equal((await h.message(String(res.json.sid))).body, body);
    }
  });

  it('counts GSM-7 and UCS-2 segments', async () => {
    const segments = async (body: string): Promise<unknown> =>
      (await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: body })).json.num_segments;
    assert.equal(await segments('a'.repeat(160)), '1');
    assert.equal(await segments('a'.repeat(161)), '2');
    assert.equal(await segments('€'.repeat(80)), '1');
    assert.equal(await segments('€'.repeat(81)), '2');
    assert.equal(await segments('ж'.repeat(70)), '1');
    assert.equal(await segments('ж'.repeat(71)), '2');
    assert.equal(await segments('a'.repeat(159) + '😀'), '3');
  });

  it('creates MMS with media rows (MM sid, ME media, content types), lists, fetches and deletes media', async () => {
    const res = await h.call('POST', h.api('/Messages.json'), {
      To: TO,
      From: FROM,
      MediaUrl: ['https://media.example/cat.PNG', 'https://media.example/blob'],
    });
    assert.equal(res.status, 201);
    const sid = String(res.json.sid);
    assert.match(sid, /^MM[0-9a-f]{32}$/);
    assert.equal(res.json.num_media, '2');
    const list = await h.call('GET', h.api(`/Messages/${sid}/Media.json`));
    assert.equal(list.status, 200);
    const media = list.json.media_list as Json[];
    assert.equal(media.length, 2);
    assert.deepEqual(
      media.map((m) => m.content_type),
      ['image/png', 'application/octet-stream'],
    );
    const first = media[0] as Json;
    assert.match(String(first.sid), /^ME[0-9a-f]{32}$/);
    assert.equal(first.parent_sid, sid);
    const mediaPath = h.api(`/Messages/${sid}/Media/${String(first.sid)}.json`);
    assert.equal(first.uri, mediaPath);
    assert.equal((await h.call('GET', mediaPath)).json.sid, first.sid);
    assert.equal((await h.call('DELETE', mediaPath)).status, 204);
    assert.equal((await h.call('GET', mediaPath)).status, 404);
    assert.equal(
      ((await h.call('GET', h.api(`/Messages/${sid}/Media.json`))).json.media_list as Json[]).length,
      1,
    );

    assert.equal((await h.call('DELETE', h.api(`/Messages/${sid}.json`))).status, 204);
    assert.equal((await h.call('GET', h.api(`/Messages/${sid}.json`))).status, 404);
    assert.equal((await h.call('GET', h.api(`/Messages/${sid}/Media.json`))).status, 404);
    const left = await h.store.get('SELECT COUNT(*) AS n FROM message_media WHERE message_sid = ?', [sid]);
    assert.equal((left as { n: number }).n, 0);
  });

  it('redacts with Body="" and refuses other updates', async () => {
    const sid = String(
      (await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: 'secret' })).json.sid,
    );
    const path = h.api(`/Messages/${sid}.json`);
    const redacted = await h.call('POST', path, { Body: '' });
    assert.equal(redacted.status, 200);
    assert.equal(redacted.json.body, '');
    assert.equal((await h.message(sid)).body, '');
    assert.equal((await h.call('POST', path, { Body: 'new text' })).json.code, 20001);
    assert.equal((await h.call('POST', path, { Status: 'sent' })).json.code, 20001);
    const cancel = await h.call('POST', path, { Status: 'canceled' });
    assert.equal(cancel.status, 400);
    assert.equal(cancel.json.code, 20001);
    assert.match(String(cancel.json.message), /not in a cancelable state/);
  });

  it("isolates tenants: another account's SIDs are 404 20404", async () => {
    const sid = String(
      (await h.call('POST', h.api('/Messages.json'), { To: TO, From: FROM, Body: 'mine' })).json.sid,
    );
    const as = { accountSid: h.other.sid };
    for (const [method, path] of [
      ['GET', h.api(`/Messages/${sid}.json`, h.other.sid)],
      ['POST', h.api(`/Messages/${sid}.json`, h.other.sid)],
      ['DELETE', h.api(`/Messages/${sid}.json`, h.other.sid)],
      ['GET', h.api(`/Messages/${sid}/Media.json`, h.other.sid)],
    ] as const) {
      const res = await h.call(method, path, method === 'POST' ? { Body: '' } : {}, as);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.json.code, 20404);
    }
    // The path names one account, the credential another.
    assert.equal((await h.call('GET', h.api(`/Messages/${sid}.json`), {}, as)).status, 404);
    const theirs = await h.call('GET', h.api('/Messages.json', h.other.sid), {}, as);
    assert.deepEqual(theirs.json.messages, []);
    // The other account cannot send from this account's number either.
    const steal = await h.call(
      'POST',
      h.api('/Messages.json', h.other.sid),
      { To: TO, From: FROM, Body: 'x' },
      as,
    );
    assert.equal(steal.json.code, 21606);
    assert.equal((await h.message(sid)).body, 'mine');
  });
});

describe('Messages list', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.provision(FROM);
    await h.provision('+14155550302');
  });
  after(() => h.close());

  async function sendAt(iso: string, fields: Record<string, string>): Promise<string> {
    h.clock.offset = Date.parse(iso) - Date.now();
    const sid = String((await h.call('POST', h.api('/Messages.json'), fields)).json.sid);
    await eventually(async () => (await h.message(sid)).status === 'sent', `${sid} sent`);
    return sid;
  }

  it('filters by To, From, DateSent, DateSent< and DateSent>', async () => {
    const a = await sendAt('2024-03-01T10:00:00Z', { To: TO, From: FROM, Body: 'a' });
    const b = await sendAt('2024-03-02T10:00:00Z', { To: '+14155550399', From: FROM, Body: 'b' });
    const c = await sendAt('2024-03-03T10:00:00Z', { To: TO, From: '+14155550302', Body: 'c' });
    h.clock.offset = 0;
    const sids = async (query: Record<string, string>): Promise<unknown[]> => {
      const res = await h.call('GET', h.api('/Messages.json'), query);
      assert.equal(res.status, 200);
      return (res.json.messages as Json[]).map((m) => m.sid);
    };
    assert.deepEqual(await sids({ To: TO }), [c, a]);
    assert.deepEqual(await sids({ From: FROM }), [b, a]);
    assert.deepEqual(await sids({ DateSent: '2024-03-02' }), [b]);
    assert.deepEqual(await sids({ DateSent: '2024-03-02T10:00:00Z' }), [b]);
    assert.deepEqual(await sids({ 'DateSent<': '2024-03-02' }), [b, a]);
    assert.deepEqual(await sids({ 'DateSent>': '2024-03-02' }), [c, b]);
    assert.deepEqual(await sids({ 'DateSent>': '2024-03-02', To: TO }), [c]);
    const bad = await h.call('GET', h.api('/Messages.json'), { DateSent: 'yesterday' });
    assert.equal(bad.json.code, 20001);
  });

  it('pages by keyset across 3 pages with inserts between fetches: no duplicates, no gaps', async () => {
    const account = await h.identity.createAccount({ friendlyName: 'pager' });
    const as = { accountSid: account.sid };
    await h.provision('+14155550303', {}, account.sid);
    const create = async (body: string): Promise<string> =>
      String(
        (
          await h.call(
            'POST',
            h.api('/Messages.json', account.sid),
            { To: TO, From: '+14155550303', Body: body },
            as,
          )
        ).json.sid,
      );
    const original: string[] = [];
    for (let i = 0; i < 7; i++) original.push(await create(`m${i}`));
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3));
    // Messages created in the same millisecond are ordered by SID: the full list is the reference.
    const full = await h.call('GET', h.api('/Messages.json', account.sid), {}, as);
    const order = (full.json.messages as Json[]).map((m) => String(m.sid));
    assert.deepEqual([...order].sort(), [...original].sort());

    const first = await h.call('GET', h.api('/Messages.json', account.sid), { PageSize: '3' }, as);
    assert.equal(first.json.page, 0);
    assert.equal(first.json.previous_page_uri, null);
    const seen: unknown[] = (first.json.messages as Json[]).map((m) => m.sid);
    assert.deepEqual(seen, order.slice(0, 3));

    await pause();
    const inserted = [await create('new1'), await create('new2')];
    const second = await h.call('GET', String(first.json.next_page_uri), {}, as);
    assert.equal(second.status, 200);
    assert.equal(second.json.page, 1);
    assert.equal(second.json.start, 3);
    const secondSids = (second.json.messages as Json[]).map((m) => m.sid);
    assert.deepEqual(secondSids, order.slice(3, 6));

    await pause();
    inserted.push(await create('new3'));
    const third = await h.call('GET', String(second.json.next_page_uri), {}, as);
    const thirdSids = (third.json.messages as Json[]).map((m) => m.sid);
    assert.deepEqual(thirdSids, order.slice(6));
    assert.equal(third.json.next_page_uri, null);

    const all = [...seen, ...secondSids, ...thirdSids];
    assert.equal(new Set(all).size, 7);
    assert.deepEqual([...all].sort(), [...original].sort());
    for (const sid of inserted) assert.ok(!all.includes(sid));

    // Going back from page 2 gives page 1 again.
    const back = await h.call('GET', String(third.json.previous_page_uri), {}, as);
    assert.deepEqual(
      (back.json.messages as Json[]).map((m) => m.sid),
      secondSids,
    );
    const garbage = await h.call('GET', h.api('/Messages.json', account.sid), { PageToken: 'nonsense' }, as);
    assert.equal(garbage.json.code, 20001);
  });
});
