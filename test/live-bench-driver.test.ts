import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriedEffect } from '../bench/live/driver.js';

/** bench:live's model of main: what a build submitted now carries. */

const slow = { errors: 1, latency: 3, lingerMs: 0 };
const failing = { errors: 8, latency: 1, lingerMs: 0 };

test('a build carries its own bad change, else the first one still on main', () => {
  assert.deepEqual(carriedEffect({ bad: failing }, [{ from: 'b1', effect: slow }]), failing);
  assert.deepEqual(carriedEffect({}, [{ from: 'b1', effect: slow }]), { ...slow, carriedFrom: 'b1' });
  assert.equal(carriedEffect({}, []), undefined);
});

test('a revert removes only the change it reverts: one still on main travels with it', () => {
  // b4 was rolled back (its change left `open`) while b3's change is still on main: the revert r1 contains b3's commits.
  assert.deepEqual(carriedEffect({ revert: true }, [{ from: 'b3', effect: failing }]), { ...failing, carriedFrom: 'b3' });
  assert.equal(carriedEffect({ revert: true }, []), undefined);
});
