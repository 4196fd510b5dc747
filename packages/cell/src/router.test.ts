import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CellResponse, HttpMethod, ProductId } from '@twilio-lab/core';
import { RouteDefinitionError, compileRoutes } from './router.js';
import type { RouteMatch } from './router.js';
import type { RouteDef } from './types.js';

const ok = (): CellResponse => ({ status: 200, body: '' });

function route(method: HttpMethod, path: string, product: ProductId = 'api'): RouteDef {
  return { method, product, path, handler: ok };
}

function matched(m: RouteMatch | null): { path: string; method: HttpMethod; params: Record<string, string> } {
  assert.ok(m !== null, 'expected a match');
  assert.ok('route' in m, 'expected a route, got 405');
  return { path: m.route.path, method: m.route.method, params: m.params };
}

const ACCOUNT = 'AC' + '1'.repeat(32);
const MESSAGE = 'SM' + '2'.repeat(32);

describe('compileRoutes', () => {
  const table = compileRoutes([
    route('GET', '/2010-04-01/Accounts/:AccountSid/Messages.json'),
    route('POST', '/2010-04-01/Accounts/:AccountSid/Messages.json'),
    route('GET', '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json'),
    route('POST', '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json'),
    route('DELETE', '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json'),
    route('GET', '/2010-04-01/Accounts/:AccountSid/Messages/:MessageSid/Media.json'),
    route('GET', '/v1/Services', 'messaging'),
    route('GET', '/v1/Services/:Sid', 'messaging'),
    route('GET', '/v1/Services/Special', 'messaging'),
    route('GET', '/v2/PhoneNumbers/:PhoneNumber', 'lookups'),
  ]);

  it('captures path params and strips the .json suffix', () => {
    const m = matched(table.match('api', 'GET', `/2010-04-01/Accounts/${ACCOUNT}/Messages/${MESSAGE}.json`));
    assert.equal(m.path, '/2010-04-01/Accounts/:AccountSid/Messages/:Sid.json');
    assert.deepEqual(m.params, { AccountSid: ACCOUNT, Sid: MESSAGE });
  });

  it('tells a literal .json segment from a param with the suffix', () => {
    const list = matched(table.match('api', 'POST', `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`));
    assert.equal(list.path, '/2010-04-01/Accounts/:AccountSid/Messages.json');
    assert.deepEqual(list.params, { AccountSid: ACCOUNT });
  });

  it('does not match a .json param when the value before the suffix is empty or the suffix is absent', () => {
    assert.equal(table.match('api', 'GET', `/2010-04-01/Accounts/${ACCOUNT}/Messages/.json`), null);
    assert.equal(table.match('api', 'GET', `/2010-04-01/Accounts/${ACCOUNT}/Messages/${MESSAGE}`), null);
  });

  it('keeps a literal + and decodes %2B to +', () => {
    assert.deepEqual(matched(table.match('lookups', 'GET', '/v2/PhoneNumbers/+15005550006')).params, {
      PhoneNumber: '+15005550006',
    });
    assert.deepEqual(matched(table.match('lookups', 'GET', '/v2/PhoneNumbers/%2B15005550006')).params, {
      PhoneNumber: '+15005550006',
    });
    assert.deepEqual(matched(table.match('lookups', 'GET', '/v2/PhoneNumbers/a%20b')).params, {
      PhoneNumber: 'a b',
    });
  });

  it('prefers a literal segment over a param when both match', () => {
    assert.deepEqual(matched(table.match('messaging', 'GET', '/v1/Services/Special')), {
      path: '/v1/Services/Special',
      method: 'GET',
      params: {},
    });
    const byParam = matched(table.match('messaging', 'GET', '/v1/Services/MG123'));
    assert.equal(byParam.path, '/v1/Services/:Sid');
    assert.deepEqual(byParam.params, { Sid: 'MG123' });
  });

  it('falls back to a param route when the literal route lacks the method', () => {
    const t = compileRoutes([route('GET', '/v1/Things/Special'), route('POST', '/v1/Things/:Sid')]);
    const m = matched(t.match('api', 'POST', '/v1/Things/Special'));
    assert.equal(m.path, '/v1/Things/:Sid');
    assert.deepEqual(m.params, { Sid: 'Special' });
  });

  it('lists the allowed methods (in a stable order) when only the method is wrong', () => {
    assert.deepEqual(table.match('api', 'PUT', `/2010-04-01/Accounts/${ACCOUNT}/Messages/${MESSAGE}.json`), {
      methodNotAllowed: ['GET', 'POST', 'DELETE'],
    });
    assert.deepEqual(table.match('messaging', 'DELETE', '/v1/Services'), { methodNotAllowed: ['GET'] });
  });

  it('unions the methods of every pattern that matched for the 405', () => {
    const t = compileRoutes([route('GET', '/v1/Things/Special'), route('DELETE', '/v1/Things/:Sid')]);
    assert.deepEqual(t.match('api', 'POST', '/v1/Things/Special'), { methodNotAllowed: ['GET', 'DELETE'] });
  });

  it('scopes routes by product and segment count', () => {
    assert.equal(table.match('api', 'GET', '/v1/Services'), null);
    assert.equal(table.match('verify', 'GET', '/v1/Services'), null);
    assert.equal(table.match('messaging', 'GET', '/v1/Services/MG1/Extra'), null);
    assert.equal(table.match('messaging', 'GET', '/v1'), null);
    assert.equal(table.match('messaging', 'GET', '/v1/Services/'), null);
  });

  it('rejects duplicate and malformed patterns at compile time', () => {
    assert.throws(
      () => compileRoutes([route('GET', '/a/:Sid'), route('GET', '/a/:Other')]),
      RouteDefinitionError,
    );
    assert.throws(() => compileRoutes([route('GET', 'no-slash')]), RouteDefinitionError);
    assert.throws(() => compileRoutes([route('GET', '/a/:')]), RouteDefinitionError);
  });

  it('exposes the compiled routes', () => {
    assert.equal(table.routes.length, 10);
  });
});
