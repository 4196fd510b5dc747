import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TwilioError } from './errors.js';
import { parseXml, textOf } from './xml.js';
import type { XmlElement } from './xml.js';

const MESSAGING_RESPONSE = `<?xml version="1.0" encoding="UTF-8"?>
<!-- reply from the app -->
<Response>
  <Message to="+15005550006" action='/status?a=1&amp;b=2'>
    <Body>Tom &amp; Jerry &lt;3 &quot;hi&quot; &apos;x&apos; &#8364; &#x1F600;</Body>
    <Media>https://example.test/cat.jpg</Media>
    <!-- a comment inside -->
    <Media>https://example.test/dog.jpg</Media>
  </Message>
  <Message>Plain <![CDATA[<b>raw & unescaped</b>]]> tail</Message>
  <Redirect method="POST">https://example.test/next</Redirect>
  <Empty/>
</Response>
`;

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

test('parses a MessagingResponse with nested verbs, entities, CDATA and comments', () => {
  const root = parseXml(MESSAGING_RESPONSE);
  assert.equal(root.name, 'Response');
  const [message, plain, redirect, empty] = elements(root);
  assert.equal(elements(root).length, 4);

  assert.equal(message!.name, 'Message');
  assert.deepEqual(message!.attrs, { to: '+15005550006', action: '/status?a=1&b=2' });
  const [body, media1, media2] = elements(message!);
  assert.equal(body!.name, 'Body');
  assert.equal(textOf(body!), 'Tom & Jerry <3 "hi" \'x\' € 😀');
  assert.equal(textOf(media1!), 'https://example.test/cat.jpg');
  assert.equal(textOf(media2!), 'https://example.test/dog.jpg');
  // Whitespace between elements is not kept as text.
  assert.equal(message!.children.length, 3);

  assert.equal(textOf(plain!), 'Plain <b>raw & unescaped</b> tail');
  assert.deepEqual(plain!.children, ['Plain <b>raw & unescaped</b> tail']);

  assert.equal(redirect!.name, 'Redirect');
  assert.deepEqual(redirect!.attrs, { method: 'POST' });
  assert.equal(textOf(redirect!), 'https://example.test/next');

  assert.deepEqual(empty, { name: 'Empty', attrs: {}, children: [] });
});

test('a minimal document and a BOM', () => {
  assert.deepEqual(parseXml('<Response/>'), { name: 'Response', attrs: {}, children: [] });
  assert.equal(parseXml('\uFEFF<Response></Response>').name, 'Response');
});

test('whitespace-only CDATA is kept as content', () => {
  assert.deepEqual(parseXml('<Say><![CDATA[  ]]></Say>').children, ['  ']);
});

function assertParseFailure(text: string): void {
  assert.throws(
    () => parseXml(text),
    (e: unknown) => e instanceof TwilioError && e.code === 12100 && /Document parse failure/.test(e.message),
    JSON.stringify(text),
  );
}

test('malformed documents throw 12100', () => {
  const malformed = [
    '',
    'just text',
    '<Response>',
    '<Response><Message></Response>',
    '<Response></Message>',
    '<Response><Message>hi</Message>',
    '<Response/><Response/>',
    '<Response/>trailing',
    '<Response a="1" a="2"/>',
    '<Response a=1/>',
    '<Response a="x<y"/>',
    '<Response>&unknown;</Response>',
    '<Response>AT&T</Response>',
    '<Response>&#xD800;</Response>',
    '<Response><!-- unterminated </Response>',
    '<Response><![CDATA[ open </Response>',
    '<!DOCTYPE r [<!ENTITY x "y">]><Response>&x;</Response>',
    '<1bad/>',
    '<Response a="1"b="2"/>',
  ];
  for (const text of malformed) assertParseFailure(text);
});

test('very deep nesting is rejected rather than exhausting memory', () => {
  assertParseFailure('<a>'.repeat(1000) + '</a>'.repeat(1000));
});

test('textOf ignores child elements', () => {
  assert.equal(textOf(parseXml('<Say> Hello <Pause/> world </Say>')), 'Hello  world');
});
