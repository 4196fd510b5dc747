/** The netem capability check (error paths with a fake machine) and, where the machine can, the real thing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChaosError } from './errors.js';
import { checkNetemCapability, netemArgs, requireNetem, systemNetem, type NetemSystem } from './netem.js';
import { startFaults } from './timeline.js';

function fakeSystem(overrides: Partial<NetemSystem>, qdiscError = ''): NetemSystem & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    uid: () => 0,
    which: (p) => `/usr/sbin/${p}`,
    run: async (program, args) => {
      calls.push([program, ...args]);
      if (args.includes('qdisc') && qdiscError !== '') return { code: 2, stdout: '', stderr: qdiscError };
      return { code: 0, stdout: '', stderr: '' };
    },
    ...overrides,
  };
}

describe('netem capability check', () => {
  it('names every missing prerequisite: root, ip, tc', async () => {
    const result = await checkNetemCapability(fakeSystem({ uid: () => 1000, which: () => null }));
    assert.equal(result.ok, false);
    const reasons = result.ok ? [] : result.reasons;
    assert.equal(reasons.length, 3);
    assert.match(reasons[0] ?? '', /needs root/);
    assert.match(reasons[1] ?? '', /`ip` not found.*iproute2/);
    assert.match(reasons[2] ?? '', /`tc` not found.*iproute2/);
  });

  it('spots a kernel without sch_netem, and removes its probe namespace', async () => {
    const system = fakeSystem({}, 'Error: Specified qdisc kind is unknown.');
    const result = await checkNetemCapability(system);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : (result.reasons[0] ?? ''), /sch_netem/);
    const added = system.calls.find((c) => c[1] === 'netns' && c[2] === 'add')?.[3];
    assert.ok(
      system.calls.some((c) => c[1] === 'netns' && c[2] === 'del' && c[3] === added),
      'cleaned up',
    );
  });

  it('a netem fault fails before anything is injected, with CHAOS_NETEM_UNAVAILABLE', async () => {
    await assert.rejects(
      startFaults([{ atMs: 0, action: 'netem', target: 'media', params: { loss: 5 } }], {
        netemSystem: fakeSystem({ uid: () => 1000 }),
        crashGuard: false,
      }),
      (err: unknown) =>
        err instanceof ChaosError && err.code === 'CHAOS_NETEM_UNAVAILABLE' && /needs root/.test(err.message),
    );
  });

  it('builds tc netem arguments', () => {
    assert.deepEqual(netemArgs({ delayMs: 40, jitterMs: 10, lossPercent: 2, reorderPercent: 25 }), [
      'delay',
      '40ms',
      '10ms',
      'loss',
      '2%',
      'reorder',
      '25%',
    ]);
  });

  it('on this machine: either netem works, or the check says exactly why not', async () => {
    const capability = await checkNetemCapability(systemNetem);
    if (!capability.ok) {
      await assert.rejects(
        requireNetem(systemNetem),
        (err: unknown) => err instanceof ChaosError && err.code === 'CHAOS_NETEM_UNAVAILABLE',
      );
      return;
    }
    // The real path: a namespace with netem loss on its link, reverted and deleted at stop().
    const timeline = await startFaults(
      [{ atMs: 0, action: 'netem', target: `tl-test-${process.pid}`, params: { delay: 20, loss: 1 } }],
      { crashGuard: false },
    );
    await timeline.done;
    assert.deepEqual(timeline.errors, []);
    const report = await timeline.stop();
    assert.equal(report.ok, true);
  });
});
