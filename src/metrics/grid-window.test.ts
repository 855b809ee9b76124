import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GridWindow } from './grid-window.js';

const STEP = 15_000;

/** What a grid holds, series by key (the order of `view` is the order series were first written in). */
function held(g: GridWindow, start: number, end: number): Map<string, { ts: number[]; vs: number[] }> {
  const out = new Map<string, { ts: number[]; vs: number[] }>();
  for (const s of g.view(start, end)) out.set(s.labels.k, { ts: Array.from(s.timestamps), vs: Array.from(s.values) });
  return out;
}

test('property: the order series are written in (sorted, shuffled, some missing, new ones) does not change what a grid holds', () => {
  // Each round: the window moves on by some slots, then a subset of 12 series is written (the
  // overlap re-read), once in key order into one grid and once in the round's own order into another.
  const round = fc.record({
    move: fc.integer({ min: 0, max: 4 }),
    writes: fc.array(fc.record({ k: fc.integer({ min: 0, max: 11 }), back: fc.integer({ min: 0, max: 5 }), v: fc.integer({ min: -5, max: 5 }) }), { maxLength: 14 }),
    shuffle: fc.array(fc.nat(), { minLength: 14, maxLength: 14 }),
  });
  fc.assert(
    fc.property(fc.array(round, { minLength: 1, maxLength: 12 }), (rounds) => {
      const slots = 8;
      const sorted = new GridWindow(STEP, slots);
      const shuffled = new GridWindow(STEP, slots);
      let end = 100 * STEP;
      for (const r of rounds) {
        end += r.move * STEP;
        const start = end - (slots - 1) * STEP;
        sorted.advance(start, end);
        shuffled.advance(start, end);
        const from = end - 3 * STEP;
        // One write per series per round (as an answer has), with its samples from `from - back` on.
        const byKey = new Map(r.writes.map((w) => [w.k, w]));
        const inOrder = [...byKey.values()].sort((a, b) => a.k - b.k);
        const mixed = inOrder.map((w, i) => [r.shuffle[i], w] as const).sort((a, b) => a[0] - b[0]).map(([, w]) => w);
        const write = (g: GridWindow, ws: typeof inOrder) => {
          for (const w of ws) {
            const ts: number[] = [];
            const vs: number[] = [];
            for (let t = from - w.back * STEP; t <= end; t += STEP) if ((t / STEP + w.k) % 3 !== 0) {
              ts.push(t);
              vs.push(w.v * 1000 + t / STEP);
            }
            // A fresh key string each time: rows are found by the key's text, not its identity.
            g.write(`k=${w.k}`, { k: String(w.k) }, ts, vs, from);
          }
        };
        write(sorted, inOrder);
        write(shuffled, mixed);
        const a = held(sorted, start, end);
        const b = held(shuffled, start, end);
        assert.deepEqual(new Map([...b].sort()), new Map([...a].sort()));
        assert.equal(shuffled.seriesCount, sorted.seriesCount);
      }
    }),
    { numRuns: 500 },
  );
});
