import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LookupEngine } from '../engine.js';
import { PACKAGE_FIELDS, parseFields } from '../fields.js';
import { parseNumber } from '../number-parse.js';
import { syntheticIdentity } from './identity.js';
import { identityMatch } from './identity-match.js';
import { NumberSeed } from './seed.js';

const ALL = parseFields([PACKAGE_FIELDS.join(',')]);
const QUERY = {
  phoneNumber: '+14155550100',
  fields: ALL,
  claims: { firstName: 'Sam' },
  lastVerifiedDate: '20200101',
};

describe('synthetic data', () => {
  it('is the same in another process', () => {
    const here = new LookupEngine().lookupText(QUERY);
    const engineUrl = new URL('../engine.js', import.meta.url).href;
    const script = `import(${JSON.stringify(engineUrl)}).then((m) => process.stdout.write(new m.LookupEngine().lookupText(${JSON.stringify(QUERY)})))`;
    const there = execFileSync(process.execPath, ['-e', script], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      encoding: 'utf8',
    });
    assert.equal(there, here);
  });

  it('differs between numbers', () => {
    const engine = new LookupEngine();
    const texts = new Set<string>();
    for (let i = 100; i < 120; i++) {
      const text = engine.lookupText({ ...QUERY, phoneNumber: `+1415555${String(i).padStart(4, '0')}` });
      texts.add(text.replace(/\+1415555\d{4}/g, ''));
    }
    assert.ok(texts.size > 15, `only ${texts.size} distinct answers for 20 numbers`);
  });

  it('gives each package its own draws (one package does not shift another)', () => {
    const seed = new NumberSeed('+14155550100');
    const a = seed.stream('sim_swap').next();
    const b = seed.stream('line_status').next();
    assert.notEqual(a, b);
    assert.equal(new NumberSeed('+14155550100').stream('sim_swap').next(), a);
  });
});

describe('identityMatch', () => {
  const who = syntheticIdentity(new NumberSeed('+14155550100'), 'US');

  it('scores 100 when every claim is right, whatever the case and punctuation', () => {
    const result = identityMatch(who, {
      firstName: who.firstName.toUpperCase(),
      lastName: who.lastName,
      addressLine1: who.addressLine + '.',
      city: who.city,
      state: who.state,
      postalCode: who.postalCode,
      addressCountryCode: 'us',
      nationalId: who.nationalId,
      dateOfBirth: who.dateOfBirth,
    });
    assert.deepEqual(result, {
      first_name_match: 'exact_match',
      last_name_match: 'exact_match',
      address_lines_match: 'exact_match',
      city_match: 'exact_match',
      state_match: 'exact_match',
      postal_code_match: 'exact_match',
      address_country_match: 'exact_match',
      national_id_match: 'exact_match',
      date_of_birth_match: 'exact_match',
      summary_score: 100,
      error_code: null,
      error_message: null,
    });
  });

  it('grades near misses and leaves unasked fields as no_data_available', () => {
    const result = identityMatch(who, {
      firstName: who.firstName.slice(0, -1) + 'x',
      lastName: 'Qqqqqqqqqq',
      dateOfBirth: who.dateOfBirth.slice(0, 4) + (who.dateOfBirth.endsWith('0101') ? '0202' : '0101'),
    });
    assert.equal(result.last_name_match, 'no_match');
    assert.ok(['high_partial_match', 'partial_match'].includes(result.first_name_match ?? ''));
    assert.equal(result.date_of_birth_match, 'partial_match');
    assert.equal(result.city_match, 'no_data_available');
    assert.equal(result.address_lines_match, 'no_data_available');
    assert.ok((result.summary_score ?? -1) > 0 && (result.summary_score ?? 101) < 100);
  });

  it('answers error 60617 when no claim is given', () => {
    const result = identityMatch(who, { firstName: '  ' });
    assert.equal(result.error_code, 60617);
    assert.equal(result.summary_score, null);
    assert.equal(result.first_name_match, null);
    assert.equal(typeof result.error_message, 'string');
  });

  it('is consistent with pre_fill: the identity behind both is the same', () => {
    const engine = new LookupEngine();
    const parsed = parseNumber('+14155550100', undefined);
    const subscriber = engine.subscriber(parsed);
    assert.deepEqual(subscriber.identity(), who);
  });
});
