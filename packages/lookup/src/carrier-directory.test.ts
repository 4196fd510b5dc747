import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSuperNetwork, defaultCarriers } from '@twilio-lab/super-network';
import type { OutboundSms } from '@twilio-lab/super-network';
import { CarrierDirectory, mobileCountryCode } from './carrier-directory.js';
import { DEFAULT_CARRIERS } from './data/carriers.js';
import { LookupEngine } from './engine.js';
import { parseFields } from './fields.js';

/** Numbers across every prefix the default carriers distinguish, plus one no EU carrier serves. */
const NUMBERS = [
  '+14155550100',
  '+16135550123',
  '+447772000001',
  '+33612345678',
  '+4915112345678',
  '+34612345678',
  '+31612345678',
  '+393123456789',
  '+32470123456',
  '+353851234567',
  '+46701234567',
  '+81312345678',
  '+61412345678',
];

let counter = 0;
function sms(to: string): OutboundSms {
  counter++;
  return {
    messageSid: 'SM' + counter.toString(16).padStart(32, '0'),
    accountSid: 'AC' + 'a'.repeat(32),
    from: '+15005550006',
    to,
    body: 'carrier check',
    encoding: 'GSM-7',
    segments: 1,
    mediaUrls: [],
  };
}

describe('CarrierDirectory', () => {
  it('ships the same carriers (names, prefixes, costs, order) as the super-network defaults', () => {
    const network = defaultCarriers('lab').map((c) => ({
      name: c.name,
      prefixes: c.prefixes,
      costPerSegment: c.costPerSegment,
    }));
    const shipped = DEFAULT_CARRIERS.map((c) => ({
      name: c.name,
      prefixes: [...c.prefixes],
      costPerSegment: c.costPerSegment,
    }));
    assert.deepEqual(shipped, network);
  });

  it('names the carrier the real super-network routes each number to', async (t) => {
    const network = await createSuperNetwork({ carriers: defaultCarriers('lab') });
    t.after(() => network.close());
    const engine = new LookupEngine();
    const fields = parseFields(['line_type_intelligence']);
    for (const to of NUMBERS) {
      const routed = await network.submit(sms(to));
      const answer = JSON.parse(engine.lookupText({ phoneNumber: to, fields })) as {
        line_type_intelligence: { carrier_name: string };
      };
      assert.equal(answer.line_type_intelligence.carrier_name, routed.carrier, `carrier of ${to}`);
    }
  });

  it('prefers the longest prefix, then the cheapest, then the first configured carrier', () => {
    const directory = CarrierDirectory.from([
      { name: 'catch-all', prefixes: ['+'], costPerSegment: 0.01 },
      { name: 'uk-dear', prefixes: ['+44'], costPerSegment: 0.09 },
      { name: 'uk-cheap', prefixes: ['+44'], costPerSegment: 0.05 },
      { name: 'uk-cheap-too', prefixes: ['+44'], costPerSegment: 0.05 },
      { name: 'london', prefixes: ['+4420'], costPerSegment: 0.5 },
    ]);
    assert.equal(directory.carrierFor('+442079460000')?.name, 'london');
    assert.equal(directory.carrierFor('+447772000001')?.name, 'uk-cheap');
    assert.equal(directory.carrierFor('+14155550100')?.name, 'catch-all');
  });

  it('answers no carrier when none serves the number', () => {
    const directory = CarrierDirectory.from([{ name: 'us-only', prefixes: ['+1'], costPerSegment: 0.01 }]);
    assert.equal(directory.carrierFor('+447772000001'), undefined);
  });

  it("reports the number's country MCC, and the carrier's own network code", () => {
    const directory = CarrierDirectory.from();
    const east = directory.carrierFor('+16135550123');
    assert.ok(east);
    assert.equal(east.name, 'us-mobile-east');
    assert.equal(mobileCountryCode('CA', east), '302');
    assert.equal(mobileCountryCode('US', east), '310');
    const global = directory.carrierFor('+6591234567');
    assert.ok(global);
    assert.equal(global.name, 'global-sim');
    assert.equal(mobileCountryCode('XX', global), '901');
  });

  it('gives carriers it does not know a stable network code', () => {
    const a = CarrierDirectory.from([{ name: 'acme-tel', prefixes: ['+1'], costPerSegment: 0.01 }]);
    const b = CarrierDirectory.from([{ name: 'acme-tel', prefixes: ['+1'], costPerSegment: 0.01 }]);
    const code = a.carrierFor('+14155550100')?.mobileNetworkCode;
    assert.match(code ?? '', /^\d{2}$/);
    assert.equal(b.carrierFor('+14155550100')?.mobileNetworkCode, code);
  });
});
