import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MatrixStreamParser } from './matrix-stream.js';
import { LabelIntern } from './label-intern.js';
import type { Labels } from '../domain/events.js';

interface Got {
  labels: Labels;
  timestamps: number[];
  values: number[];
}

function parseInChunks(text: string, cuts: number[]): { got: Got[]; env: ReturnType<MatrixStreamParser['end']> } {
  const got: Got[] = [];
  const p = new MatrixStreamParser((labels, ts, vs) => got.push({ labels, timestamps: Array.from(ts), values: Array.from(vs) }));
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    if (c <= at || c >= bytes.length) continue;
    p.push(new Uint8Array(bytes.subarray(at, c)));
    at = c;
  }
  p.push(new Uint8Array(bytes.subarray(at)));
  return { got, env: p.end() };
}

/** What JSON.parse of the whole answer gives, in the same shape. */
function reference(text: string): Got[] {
  const body = JSON.parse(text) as { data: { result: { metric: Labels; values: [number, string][] }[] } };
  const num = (v: string) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
  return body.data.result.map((r) => ({ labels: r.metric, timestamps: r.values.map((v) => Math.round(v[0] * 1000)), values: r.values.map((v) => num(v[1])) }));
}

const PROM = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [
      { metric: { __name__: 'up', job: 'a "quoted" {job} [x]', path: 'é/ü\\n' }, values: [[1700000000, '1'], [1700000015.5, 'NaN'], [1700000030, '+Inf']] },
      { metric: {}, values: [[1700000000, '-2.5e-3']] },
    ],
  },
  warnings: ['some warning with ] and }'],
});
// VictoriaMetrics adds fields before and after data.
const VM = `{"status":"success","isPartial":false,"data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1,"2"],[2,"3"]]}]},"stats":{"seriesFetched":"1","executionTimeMsec":0}}`;

test('series come out equal to JSON.parse of the whole answer, wherever the chunks are cut', () => {
  for (const text of [PROM, VM]) {
    const len = Buffer.byteLength(text);
    // Every single cut position, then random multi-cut splits.
    for (let c = 1; c < len; c++) assert.deepEqual(parseInChunks(text, [c]).got, reference(text), `cut at ${c}`);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: len - 1 }), { maxLength: 12 }), (cuts) => {
      const { got, env } = parseInChunks(text, cuts);
      assert.deepEqual(got, reference(text));
      assert.equal(env.status, 'success');
      assert.equal(env.resultType, 'matrix');
      assert.equal(env.series, got.length);
      assert.equal(env.bytes, len);
    }));
  }
});

test('error answers, non-matrix results and malformed bodies are reported, not swallowed', () => {
  const err = parseInChunks('{"status":"error","errorType":"bad_data","error":"parse error at char 3"}', [10]).env;
  assert.deepEqual([err.status, err.errorType, err.error], ['error', 'bad_data', 'parse error at char 3']);
  const vec = parseInChunks('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}}', []);
  assert.equal(vec.env.resultType, 'vector');
  assert.equal(vec.got.length, 0, 'vector elements are not taken for series');
  assert.throws(() => parseInChunks('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]', []), /ended in the middle/);
  assert.throws(() => parseInChunks('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}', []), /point 0 is not \[time, "value"\]/);
  assert.throws(() => parseInChunks('<html>502 Bad Gateway</html>', []), SyntaxError);
});

test('property: any labels, times and values read as JSON.parse reads them (fast path and fallback layouts)', () => {
  const value = fc.oneof(fc.double().map((x) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x))), fc.constantFrom('NaN', '+Inf', '-Inf', '1e-7', '0'));
  const point = fc.tuple(fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => ms / 1000), value);
  const element = fc.record({ metric: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 8 }), { maxKeys: 4 }), values: fc.array(point, { maxLength: 6 }) });
  fc.assert(
    fc.property(fc.array(element, { maxLength: 4 }), fc.constantFrom('prom', 'reordered', 'spaced'), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 5 }), (elements, layout, cuts) => {
      const result = elements.map((e) => (layout === 'reordered' ? { values: e.values, metric: e.metric } : e));
      const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: result } }, null, layout === 'spaced' ? 1 : undefined);
      const want = reference(text).map((g) => ({ ...g, labels: { ...g.labels } }));
      const got = parseInChunks(text, cuts).got.map((g) => ({ ...g, labels: { ...g.labels } }));
      assert.deepEqual(got, want);
    }),
    { numRuns: 300 },
  );
});

test('with a label intern, a series seen before gets the same labels object back, parsed as JSON.parse would', () => {
  const intern = new LabelIntern();
  const text = (v: string) => `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b","p":"é\\"x"},"values":[[1,"${v}"]]},{"metric":{"a":"c"},"values":[[1,"1"]]}]}}`;
  const read = (v: string, cut: number) => {
    const got: Labels[] = [];
    const p = new MatrixStreamParser((labels) => got.push(labels), intern);
    const bytes = Buffer.from(text(v), 'utf8');
    p.push(new Uint8Array(bytes.subarray(0, cut)));
    p.push(new Uint8Array(bytes.subarray(cut)));
    p.end();
    return got;
  };
  const first = read('1', 30);
  const again = read('2', 70);
  assert.deepEqual(first, [{ a: 'b', p: 'é"x' }, { a: 'c' }]);
  assert.equal(again[0], first[0], 'the same object for the same series');
  assert.equal(again[1], first[1]);
  assert.notEqual(first[0], first[1]);
  assert.equal(intern.size, 2);
});

test('property: with a label intern, answer after answer (series in any order, coming and going, cut anywhere), series equal JSON.parse and equal labels are one object', () => {
  // Label sets that share prefixes and bytes, so that a wrong guess of the next series would show.
  const pool = [{ a: 'b' }, { a: 'bc' }, { a: 'b', c: 'd' }, { a: 'b}' }, {}, { a: 'é' }, { a: 'b"' }, { z: '1' }];
  const answer = fc.record({ series: fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: pool.length }), cuts: fc.array(fc.integer({ min: 1, max: 600 }), { maxLength: 6 }) });
  fc.assert(
    fc.property(fc.array(answer, { minLength: 1, maxLength: 6 }), (answers) => {
      const intern = new LabelIntern();
      const seen = new Map<string, Labels>();
      for (const a of answers) {
        const result = a.series.map((k, i) => ({ metric: pool[k], values: [[1700000000 + i, String(k + 0.5)]] }));
        const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
        const got: Labels[] = [];
        const p = new MatrixStreamParser((labels) => got.push(labels), intern);
        const bytes = Buffer.from(text, 'utf8');
        let at = 0;
        for (const c of [...a.cuts].sort((x, y) => x - y)) {
          if (c <= at || c >= bytes.length) continue;
          p.push(new Uint8Array(bytes.subarray(at, c)));
          at = c;
        }
        p.push(new Uint8Array(bytes.subarray(at)));
        p.end();
        assert.deepEqual(got, reference(text).map((r) => r.labels));
        for (const labels of got) {
          const key = JSON.stringify(labels);
          if (seen.has(key)) assert.equal(labels, seen.get(key), `one object for ${key}`);
          else seen.set(key, labels);
        }
      }
    }),
    { numRuns: 400 },
  );
});
