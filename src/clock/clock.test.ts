import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, ScaledClock, SystemClock, type Clock } from './clock.js';

/** 'woke' when `p` settles within a few event-loop turns, else 'asleep'. */
async function settlesSoon(p: Promise<unknown>): Promise<'woke' | 'asleep'> {
  const later = new Promise<'asleep'>((r) => setTimeout(() => r('asleep'), 50));
  return Promise.race([p.then(() => 'woke' as const), later]);
}

describe('Clock.sleep with an abort signal', () => {
  const clocks: Array<[string, () => Clock]> = [
    ['SystemClock', () => new SystemClock()],
    ['ScaledClock', () => new ScaledClock(0, 2)],
    ['ManualClock', () => new ManualClock(0)],
  ];
  for (const [name, make] of clocks) {
    it(`${name}: a long sleep wakes as soon as the signal aborts`, async () => {
      const clock = make();
      const ac = new AbortController();
      const sleeping = clock.sleep(3_600_000, ac.signal);
      assert.equal(await settlesSoon(sleeping), 'asleep');
      ac.abort();
      assert.equal(await settlesSoon(sleeping), 'woke');
    });

    it(`${name}: an already aborted signal does not sleep at all`, async () => {
      const ac = new AbortController();
      ac.abort();
      assert.equal(await settlesSoon(make().sleep(3_600_000, ac.signal)), 'woke');
    });
  }

  it('ManualClock: an aborted sleeper is forgotten, the others still wake on advance', async () => {
    const clock = new ManualClock(0);
    const ac = new AbortController();
    const aborted = clock.sleep(1000, ac.signal);
    const plain = clock.sleep(1000);
    ac.abort();
    await aborted;
    assert.equal(await settlesSoon(plain), 'asleep');
    await clock.advance(1000);
    assert.equal(await settlesSoon(plain), 'woke');
  });
});
