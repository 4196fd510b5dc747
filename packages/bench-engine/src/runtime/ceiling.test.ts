import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { measureGeneratorCeiling } from './ceiling.js';

describe('generator ceiling', () => {
  it('reports how many arrivals one thread started against a no-op flow', async () => {
    const c = await measureGeneratorCeiling({ durationMs: 500 });
    assert.ok(c.started > 0);
    assert.ok(c.started <= c.asked / 2, 'never more than the schedule holds');
    assert.equal(c.arrivalsPerSecond, c.started / 0.5);
    assert.ok(c.onTimePerSecond <= c.arrivalsPerSecond);
    console.log(`generator ceiling: ${Math.round(c.arrivalsPerSecond)} arrivals/s started by one thread`);
  });
});
