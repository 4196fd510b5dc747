/**
 * On the real engines the per-account buckets live in Redis: two labs (two gateways) on the same
 * namespace share one limit, as several gateways in front of the same accounts would.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startLab } from './lab.js';
import { dropNamespace, uniqueNamespace } from './testing/real-engines.js';
import type { RunningLab } from './types.js';

describe('rate limits on the real engines', () => {
  const namespace = uniqueNamespace('ratelimit');
  const labs: RunningLab[] = [];
  after(async () => {
    for (const lab of labs) await lab.close(2_000);
    await dropNamespace(namespace);
  });

  it('two gateways share one bucket per account through Redis', async () => {
    const options = {
      port: 0,
      log: 'silent' as const,
      backend: 'real' as const,
      namespace,
      rateLimit: { ratePerSec: 0.1, burst: 3 },
    };
    const first = await startLab(options);
    labs.push(first);
    // The same bootstrap account on both (the second finds it in the shared global schema).
    const second = await startLab({
      ...options,
      accountSid: first.info.accountSid,
      authToken: first.info.authToken,
      adminToken: first.info.adminToken,
    });
    labs.push(second);
    const auth =
      'Basic ' + Buffer.from(`${first.info.accountSid}:${first.info.authToken}`).toString('base64');
    const statuses: number[] = [];
    for (const lab of [first, second, first, second]) {
      const res = await fetch(
        `${lab.info.baseUrl}/2010-04-01/Accounts/${first.info.accountSid}/Messages.json`,
        {
          headers: { authorization: auth },
        },
      );
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429], 'a burst of 3 across both gateways, then 429');
  });
});
