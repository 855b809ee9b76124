import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import type { LeaseRow, Store } from '../store/store.js';
import { LeaderElector } from './leader-elector.js';

/** A store whose lease calls succeed until `fail` says otherwise: then they throw, or never answer. */
function leaseStore(mode: () => 'ok' | 'throw' | 'hang'): Store {
  const acquireLease = async (_n: string, holder: string, ttlMs: number, now: number): Promise<LeaseRow | undefined> => {
    const m = mode();
    if (m === 'throw') throw new Error('connection refused');
    if (m === 'hang') return new Promise(() => undefined);
    return { holder, token: 1, expiresAt: now + ttlMs };
  };
  return { acquireLease, releaseLease: async () => undefined, readLease: async () => undefined } as unknown as Store;
}

async function depositionTime(failure: 'throw' | 'hang'): Promise<{ deposedAt: number; lastRenewal: number }> {
  const clock = new ManualClock(0);
  let mode: 'ok' | 'throw' | 'hang' = 'ok';
  let deposedAt: number | undefined;
  let lastRenewal = 0;
  const elector = new LeaderElector({
    store: leaseStore(() => {
      if (mode === 'ok') lastRenewal = clock.now();
      return mode;
    }),
    holder: 'a', clock, ttlMs: 15_000,
    onElected: async () => undefined,
    onDeposed: async () => {
      deposedAt = clock.now();
    },
  });
  const abort = new AbortController();
  void elector.run(abort.signal);
  await clock.advance(0);
  assert.equal(elector.isLeader(), true);
  await clock.advance(5_000); // one renewal
  mode = failure;
  for (let t = 0; t < 30 && deposedAt === undefined; t++) await clock.advance(500);
  abort.abort();
  assert.ok(deposedAt !== undefined, 'stepped down');
  return { deposedAt, lastRenewal };
}

test('a leader that cannot renew (the store refuses) steps down before its lease expires', async () => {
  const { deposedAt, lastRenewal } = await depositionTime('throw');
  assert.ok(deposedAt - lastRenewal < 15_000, `stepped down ${(deposedAt - lastRenewal) / 1000} s after the last renewal; the lease lasts 15 s`);
});

test('a leader whose renewal never answers (a hung connection) steps down before its lease expires', async () => {
  const { deposedAt, lastRenewal } = await depositionTime('hang');
  assert.ok(deposedAt - lastRenewal < 15_000, `stepped down ${(deposedAt - lastRenewal) / 1000} s after the last renewal; the lease lasts 15 s`);
});
