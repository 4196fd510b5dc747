import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cache } from '@twilio-lab/backends';
import { PACKAGE_FIELDS } from './fields.js';
import { startCellHarness, TEST_ORIGIN } from './testing/harness.js';
import type { CellHarness } from './testing/harness.js';

const BASIC_KEYS = [
  'calling_country_code',
  'country_code',
  'phone_number',
  'national_format',
  'valid',
  'validation_errors',
];
const ALL_KEYS = [...BASIC_KEYS, ...PACKAGE_FIELDS, 'url'];

/** Each package's keys as Twilio's OpenAPI spec (twilio_lookups_v2.json) lists them. */
const PACKAGE_KEYS: Record<string, string[]> = {
  caller_name: ['caller_name', 'caller_type', 'error_code'],
  sim_swap: ['last_sim_swap', 'carrier_name', 'mobile_country_code', 'mobile_network_code', 'error_code'],
  call_forwarding: ['call_forwarding_enabled', 'error_code'],
  line_status: ['status', 'error_code'],
  line_type_intelligence: [
    'mobile_country_code',
    'mobile_network_code',
    'carrier_name',
    'type',
    'error_code',
  ],
  identity_match: [
    'first_name_match',
    'last_name_match',
    'address_lines_match',
    'city_match',
    'state_match',
    'postal_code_match',
    'address_country_match',
    'national_id_match',
    'date_of_birth_match',
    'summary_score',
    'error_code',
    'error_message',
  ],
  reassigned_number: ['last_verified_date', 'is_number_reassigned', 'error_code'],
  sms_pumping_risk: [
    'carrier_risk_category',
    'number_blocked',
    'number_blocked_date',
    'number_blocked_last_3_months',
    'sms_pumping_risk_score',
    'error_code',
  ],
  phone_number_quality_score: [
    'carrier_risk_score',
    'carrier_risk_category',
    'disposable_phone_risk_score',
    'disposable_phone_risk_category',
    'quality_score',
    'quality_category',
    'velocity_risk_score',
    'velocity_risk_category',
    'error_code',
  ],
  pre_fill: ['first_name', 'last_name', 'address_line', 'country_code', 'state', 'postal_code', 'error_code'],
};

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CATEGORIES = ['low', 'moderate', 'high'];
const MATCH_LEVELS = ['exact_match', 'high_partial_match', 'partial_match', 'no_match', 'no_data_available'];

function pkg(json: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = json[field];
  assert.ok(value !== null && typeof value === 'object', `${field} should be an object`);
  return value as Record<string, unknown>;
}

function assertScore(value: unknown, what: string): void {
  assert.ok(
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100,
    `${what}: ${String(value)}`,
  );
}

describe('GET /v2/PhoneNumbers/{PhoneNumber}', () => {
  let h: CellHarness;
  before(async () => {
    h = await startCellHarness();
  });
  after(() => h.close());

  it('answers the basic lookup with every package key present and null', async () => {
    const res = await h.lookup('+14159929960');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(Object.keys(res.json), ALL_KEYS);
    assert.deepEqual(res.json, {
      calling_country_code: '1',
      country_code: 'US',
      phone_number: '+14159929960',
      national_format: '(415) 992-9960',
      valid: true,
      validation_errors: [],
      caller_name: null,
      sim_swap: null,
      call_forwarding: null,
      line_status: null,
      line_type_intelligence: null,
      identity_match: null,
      reassigned_number: null,
      sms_pumping_risk: null,
      phone_number_quality_score: null,
      pre_fill: null,
      url: `${TEST_ORIGIN}/lookups/v2/PhoneNumbers/+14159929960`,
    });
  });

  it('formats a GB number', async () => {
    const res = await h.lookup('+447772000001', 'Fields=validation');
    assert.equal(res.status, 200);
    assert.equal(res.json.calling_country_code, '44');
    assert.equal(res.json.country_code, 'GB');
    assert.equal(res.json.national_format, '07772 000001');
    assert.equal(res.json.line_type_intelligence, null);
  });

  it('reads a national-format number with CountryCode', async () => {
    const res = await h.lookup('07772%20000001', 'CountryCode=GB&Fields=line_type_intelligence');
    assert.equal(res.json.phone_number, '+447772000001');
    assert.equal(res.json.url, `${TEST_ORIGIN}/lookups/v2/PhoneNumbers/+447772000001`);
    assert.equal(pkg(res.json, 'line_type_intelligence').carrier_name, 'gb-mobile');
  });

  it('reads a national number without CountryCode as North American', async () => {
    const res = await h.lookup('%28415%29%20992-9960');
    assert.equal(res.json.phone_number, '+14159929960');
    assert.equal(res.json.valid, true);
  });

  const invalid: [string, string, string][] = [
    ['+141599299600', '', 'TOO_LONG'],
    ['+1415992996', '', 'TOO_SHORT'],
    ['+15551234567', '', 'INVALID_BUT_POSSIBLE'],
    ['+999123456', '', 'INVALID_COUNTRY_CODE'],
    ['07772000001', 'CountryCode=XX', 'INVALID_COUNTRY_CODE'],
    ['not-a-number', '', 'NOT_A_NUMBER'],
  ];
  for (const [number, query, error] of invalid) {
    it(`answers 200 valid:false ${error} for ${number}, with null packages even when asked`, async () => {
      const fields = `Fields=${PACKAGE_FIELDS.join(',')}&FirstName=Sam&LastVerifiedDate=20200101`;
      const res = await h.lookup(number, query === '' ? fields : `${query}&${fields}`);
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.json), ALL_KEYS);
      assert.equal(res.json.valid, false);
      assert.deepEqual(res.json.validation_errors, [error]);
      assert.equal(res.json.calling_country_code, null);
      assert.equal(res.json.country_code, null);
      assert.equal(res.json.national_format, null);
      for (const field of PACKAGE_FIELDS) assert.equal(res.json[field], null, field);
    });
  }

  it('keeps the invalid input as phone_number (the spec example)', async () => {
    const res = await h.lookup('+141599299600');
    assert.equal(res.json.phone_number, '+141599299600');
    assert.equal(res.json.url, `${TEST_ORIGIN}/lookups/v2/PhoneNumbers/+141599299600`);
  });

  it('shapes every package as the spec does', async () => {
    const res = await h.lookup(
      '+14155550100',
      `Fields=${PACKAGE_FIELDS.join(',')}&FirstName=Sam&LastVerifiedDate=20200101`,
    );
    assert.equal(res.status, 200);
    for (const field of PACKAGE_FIELDS) {
      assert.deepEqual(Object.keys(pkg(res.json, field)), PACKAGE_KEYS[field], field);
    }
    const lti = pkg(res.json, 'line_type_intelligence');
    assert.deepEqual(lti, {
      mobile_country_code: '310',
      mobile_network_code: '410',
      carrier_name: 'us-mobile-east',
      type: 'mobile',
      error_code: null,
    });
    const cnam = pkg(res.json, 'caller_name');
    assert.equal(typeof cnam.caller_name, 'string');
    assert.ok(['CONSUMER', 'BUSINESS'].includes(String(cnam.caller_type)));
    const swap = pkg(res.json, 'sim_swap');
    const last = swap.last_sim_swap as Record<string, unknown>;
    assert.deepEqual(Object.keys(last), ['last_sim_swap_date', 'swapped_period', 'swapped_in_period']);
    assert.ok(last.last_sim_swap_date === null || ISO_SECONDS.test(String(last.last_sim_swap_date)));
    assert.equal(last.swapped_period, 'PT24H');
    assert.equal(typeof last.swapped_in_period, 'boolean');
    assert.equal(swap.carrier_name, 'us-mobile-east');
    assert.equal(typeof pkg(res.json, 'call_forwarding').call_forwarding_enabled, 'boolean');
    assert.ok(['active', 'inactive', 'unreachable'].includes(String(pkg(res.json, 'line_status').status)));
    const match = pkg(res.json, 'identity_match');
    assert.ok(MATCH_LEVELS.includes(String(match.first_name_match)));
    assert.equal(match.last_name_match, 'no_data_available');
    assertScore(match.summary_score, 'summary_score');
    const reassigned = pkg(res.json, 'reassigned_number');
    assert.equal(reassigned.last_verified_date, '2020-01-01');
    assert.ok(['yes', 'no', 'no_data_available'].includes(String(reassigned.is_number_reassigned)));
    const pumping = pkg(res.json, 'sms_pumping_risk');
    assert.ok(CATEGORIES.includes(String(pumping.carrier_risk_category)));
    assert.equal(typeof pumping.number_blocked, 'boolean');
    assertScore(pumping.sms_pumping_risk_score, 'sms_pumping_risk_score');
    const quality = pkg(res.json, 'phone_number_quality_score');
    for (const name of ['carrier_risk', 'disposable_phone_risk', 'velocity_risk']) {
      assertScore(quality[`${name}_score`], name);
      assert.ok(CATEGORIES.includes(String(quality[`${name}_category`])));
    }
    assertScore(quality.quality_score, 'quality_score');
    const prefill = pkg(res.json, 'pre_fill');
    assert.equal(prefill.country_code, 'US');
    assert.equal(typeof prefill.first_name, 'string');
  });

  it('answers only the packages asked for, from repeated Fields keys too', async () => {
    const res = await h.lookup('+14155550100', 'Fields=caller_name,%20sim_swap&Fields=line_status');
    for (const field of PACKAGE_FIELDS) {
      const asked = ['caller_name', 'sim_swap', 'line_status'].includes(field);
      assert.equal(res.json[field] !== null, asked, field);
    }
  });

  it('matches the identity that pre_fill reveals', async () => {
    const prefill = pkg((await h.lookup('+14155550100', 'Fields=pre_fill')).json, 'pre_fill');
    const query = new URLSearchParams({
      Fields: 'identity_match',
      FirstName: String(prefill.first_name),
      LastName: String(prefill.last_name),
      AddressLine1: String(prefill.address_line),
      State: String(prefill.state),
      PostalCode: String(prefill.postal_code),
      AddressCountryCode: String(prefill.country_code),
    });
    const match = pkg((await h.lookup('+14155550100', query.toString())).json, 'identity_match');
    assert.equal(match.first_name_match, 'exact_match');
    assert.equal(match.last_name_match, 'exact_match');
    assert.equal(match.address_lines_match, 'exact_match');
    assert.equal(match.postal_code_match, 'exact_match');
    assert.equal(match.city_match, 'no_data_available');
    assert.equal(match.summary_score, 100);
  });

  it('answers a data package that does not apply with nulls and a Lookup error code', async () => {
    const landline = await h.lookup(
      '+14155557100',
      'Fields=sim_swap,call_forwarding,line_status,line_type_intelligence',
    );
    assert.equal(pkg(landline.json, 'line_type_intelligence').type, 'landline');
    assert.deepEqual(pkg(landline.json, 'call_forwarding'), {
      call_forwarding_enabled: null,
      error_code: 60600,
    });
    assert.equal(pkg(landline.json, 'sim_swap').error_code, 60600);
    const gb = await h.lookup(
      '+447772000001',
      'Fields=caller_name,reassigned_number&LastVerifiedDate=20200101',
    );
    assert.deepEqual(pkg(gb.json, 'caller_name'), {
      caller_name: null,
      caller_type: null,
      error_code: 60600,
    });
    assert.equal(pkg(gb.json, 'reassigned_number').error_code, '60607');
    const noDate = await h.lookup('+14155550100', 'Fields=reassigned_number');
    assert.equal(pkg(noDate.json, 'reassigned_number').error_code, '60617');
  });

  it('rejects an unknown field with 400 20001', async () => {
    const res = await h.lookup('+14155550100', 'Fields=line_type_intelligence,carrier');
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 20001);
    assert.equal(res.json.status, 400);
    assert.match(String(res.json.message), /carrier/);
    assert.equal(res.json.more_info, 'https://www.twilio.com/docs/errors/20001');
  });

  it('rejects a malformed LastVerifiedDate with 400 20001', async () => {
    const res = await h.lookup('+14155550100', 'Fields=reassigned_number&LastVerifiedDate=2020-01-01');
    assert.equal(res.status, 400);
    assert.equal(res.json.code, 20001);
  });

  it('answers 404 for other paths under the product', async () => {
    const res = await h.lookup('+14155550100/Extra');
    assert.equal(res.status, 404);
  });
});

describe('response cache', () => {
  it('serves a repeated lookup from the cache, whatever the Fields order and origin', async () => {
    const sets: { key: string; ttlMs: number | undefined }[] = [];
    const hits: string[] = [];
    const h = await startCellHarness({
      cache: (inner) => spyCache(inner, sets, hits),
    });
    try {
      const first = await h.lookup('+14155550100', 'Fields=line_status,caller_name');
      assert.equal(sets.length, 1);
      assert.equal(sets[0]?.ttlMs, 24 * 60 * 60 * 1000);
      const second = await h.lookup('+14155550100', 'Fields=caller_name&Fields=line_status', {
        origin: 'http://lab.example:8080',
      });
      assert.equal(sets.length, 1, 'no second write');
      assert.equal(hits.length, 1, 'one hit');
      assert.equal(second.json.url, 'http://lab.example:8080/lookups/v2/PhoneNumbers/+14155550100');
      assert.deepEqual({ ...second.json, url: null }, { ...first.json, url: null });
      await h.lookup('+14155550100', 'Fields=line_status');
      assert.equal(sets.length, 2, 'other fields, other entry');
    } finally {
      await h.close();
    }
  });

  it('answers what the cache holds (a hit skips the engine)', async () => {
    const h = await startCellHarness({
      cache: (inner) => ({
        ...bind(inner),
        get: async () => '{"planted":true,"url":"/lookups/v2/PhoneNumbers/+1"}',
      }),
    });
    try {
      const res = await h.lookup('+14155550100');
      assert.deepEqual(res.json, { planted: true, url: `${TEST_ORIGIN}/lookups/v2/PhoneNumbers/+1` });
    } finally {
      await h.close();
    }
  });

  it('still answers when the cache fails', async () => {
    const h = await startCellHarness({
      cache: (inner) => ({
        ...bind(inner),
        get: () => Promise.reject(new Error('redis down')),
        set: () => Promise.reject(new Error('redis down')),
        takeToken: () => Promise.reject(new Error('redis down')),
      }),
    });
    try {
      const res = await h.lookup('+14155550100');
      assert.equal(res.status, 200);
      assert.equal(res.json.valid, true);
    } finally {
      await h.close();
    }
  });

  it('is off with cacheTtlMs 0', async () => {
    const sets: { key: string; ttlMs: number | undefined }[] = [];
    const h = await startCellHarness({
      lookup: { cacheTtlMs: 0 },
      cache: (inner) => spyCache(inner, sets, []),
    });
    try {
      await h.lookup('+14155550100');
      await h.lookup('+14155550100');
      assert.equal(sets.length, 0);
    } finally {
      await h.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 20429 with Retry-After once an account has spent its burst', async () => {
    const h = await startCellHarness({ lookup: { rateLimit: { ratePerSec: 0.01, burst: 2 } } });
    try {
      assert.equal((await h.lookup('+14155550100')).status, 200);
      assert.equal((await h.lookup('+14155550101')).status, 200);
      const limited = await h.lookup('+14155550102');
      assert.equal(limited.status, 429);
      assert.equal(limited.json.code, 20429);
      assert.equal(limited.json.status, 429);
      assert.ok(Number(limited.headers['Retry-After']) >= 1, `Retry-After ${limited.headers['Retry-After']}`);
      const other = await h.lookup('+14155550102', '', { accountSid: h.other.sid });
      assert.equal(other.status, 200, 'another account has its own bucket');
    } finally {
      await h.close();
    }
  });

  it('can be switched off', async () => {
    const h = await startCellHarness({ lookup: { rateLimit: false } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await h.lookup('+14155550100')).status, 200);
    } finally {
      await h.close();
    }
  });
});

/** The cache's methods bound to it, so a test can override some and keep the rest. */
function bind(inner: Cache): Cache {
  return {
    kind: inner.kind,
    get: (key) => inner.get(key),
    set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
    del: (key) => inner.del(key),
    incr: (key, ttlMs) => inner.incr(key, ttlMs),
    takeToken: (key, rate, burst) => inner.takeToken(key, rate, burst),
    close: () => inner.close(),
  };
}

function spyCache(inner: Cache, sets: { key: string; ttlMs: number | undefined }[], hits: string[]): Cache {
  return {
    ...bind(inner),
    async get(key) {
      const value = await inner.get(key);
      if (value !== undefined) hits.push(key);
      return value;
    },
    async set(key, value, ttlMs) {
      sets.push({ key, ttlMs });
      await inner.set(key, value, ttlMs);
    },
  };
}
