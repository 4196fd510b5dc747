import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OTHER_ROUTE, RouteTemplateCache, routeTemplate } from './route-template.js';

const AC = 'AC' + '0123456789abcdef'.repeat(2);
const SM = 'SM' + 'f'.repeat(32);

describe('routeTemplate', () => {
  it('replaces identifiers and keeps names, versions and extensions', () => {
    const cases: [string, string][] = [
      [`/2010-04-01/Accounts/${AC}/Messages.json`, '/2010-04-01/Accounts/{AC}/Messages.json'],
      [`/2010-04-01/Accounts/${AC}/Messages/${SM}.json`, '/2010-04-01/Accounts/{AC}/Messages/{SM}.json'],
      [
        `/2010-04-01/Accounts/${AC}/Messages/${SM}/Media.json`,
        '/2010-04-01/Accounts/{AC}/Messages/{SM}/Media.json',
      ],
      ['/v2/PhoneNumbers/+15551234567', '/v2/PhoneNumbers/{PhoneNumber}'],
      ['/v2/PhoneNumbers/%2B15551234567', '/v2/PhoneNumbers/{PhoneNumber}'],
      ['/v1/Services/VA' + 'a'.repeat(32) + '/VerificationCheck', '/v1/Services/{VA}/VerificationCheck'],
      ['/v1/Things/42', '/v1/Things/{n}'],
      ['/v1/Things/a%20b', '/v1/Things/{value}'],
      ['/v1/Things/' + 'x'.repeat(60), '/v1/Things/{value}'],
      ['/messages/outbox', '/messages/outbox'],
      ['/', '/'],
      ['/healthz', '/healthz'],
      ['/v1/Trailing/', '/v1/Trailing/'],
    ];
    for (const [path, template] of cases) assert.equal(routeTemplate(path), template, path);
  });

  it('does not mistake upper-case hex or short tokens for SIDs', () => {
    assert.equal(routeTemplate('/x/AC' + 'ABCDEF0123456789'.repeat(2)), '/x/{value}');
    assert.equal(routeTemplate('/x/ACabc'), '/x/ACabc');
  });
});

describe('RouteTemplateCache', () => {
  it('shares one entry per template and caps how many templates exist', () => {
    const built: string[] = [];
    const cache = new RouteTemplateCache((t) => {
      built.push(t);
      return { template: t };
    }, 2);
    const a = cache.get(`/2010-04-01/Accounts/${AC}/Messages.json`);
    assert.equal(cache.get(`/2010-04-01/Accounts/AC${'1'.repeat(32)}/Messages.json`), a);
    cache.get('/v1/One');
    assert.equal(cache.get('/v1/Two').template, OTHER_ROUTE);
    assert.equal(cache.get('/v1/Three').template, OTHER_ROUTE);
    assert.deepEqual(built, ['/2010-04-01/Accounts/{AC}/Messages.json', '/v1/One', OTHER_ROUTE]);
    assert.equal(cache.get('/v1/One').template, '/v1/One', 'known templates still resolve');
  });
});
