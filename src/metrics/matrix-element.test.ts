import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decimalAt, readMatrixElement, sampleValue } from './matrix-element.js';

/** decimalAt over the bytes of `text`, placed inside a larger buffer as in an answer. */
function readAt(text: string): number {
  const b = Buffer.from(`[1,"${text}"]`, 'latin1');
  return decimalAt(b, 4, 4 + Buffer.byteLength(text, 'latin1'));
}

const same = (got: number, want: number, text: string) => assert.ok(Object.is(got, want), `${JSON.stringify(text)}: got ${got}, want ${want}`);

test('decimalAt reads what Number() reads, on the fast path and off it', () => {
  const cases = ['0', '-0', '1', '-1', '0.1', '0.30000000000000004', '74.9660394506', '18.129366956441', '123456789012345', '1234567890123456', '12345678901234567890',
    '0.000000000000000000001', '0.0000000000000000000000001', '00012.5', '1.000000000000000000', '5.', '.5', '-.5', '', '-', '+5', '1e3', '1E-7', '-2.5e-3',
    'NaN', '+Inf', '-Inf', 'Inf', ' 5', '5 ', '1.2.3', '0x10', '9007199254740993', '999999999999999', '0.1234567890123456789',
    '78.15665880198773', '9007199254740991', '9007199254740992', '900719925474099.3', '0.9007199254740993', '-0.000', '.'];
  for (const text of cases) same(readAt(text), sampleValue(text), text);
});

test('property: decimalAt of any number as Prometheus and VictoriaMetrics write it equals Number() of the text', () => {
  const written = fc.oneof(
    fc.double({ noNaN: true }).map((x) => String(x)),
    // Fixed-point text with up to 20 digits on either side (more than a double holds).
    fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,20}$/), fc.option(fc.stringMatching(/^[0-9]{0,20}$/))).map(([neg, whole, frac]) => `${neg ? '-' : ''}${whole}${frac === null ? '' : `.${frac}`}`),
    fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => x.toFixed(Math.floor(Math.abs(x) % 13))),
  );
  fc.assert(fc.property(written, (text) => same(readAt(text), Number(text), text)), { numRuns: 5000 });
});

test('readMatrixElement reads the values of an element as Number() does', () => {
  const values = ['74.9660394506', '-0', 'NaN', '+Inf', '1e-7', '18.129366956441', '12345678901234567'];
  const text = `{"metric":{"a":"b"},"values":[${values.map((v, k) => `[${1700000000 + k * 15},"${v}"]`).join(',')}]}`;
  const e = readMatrixElement(Buffer.from(text))!;
  assert.deepEqual(e.metric, { a: 'b' });
  assert.deepEqual(Array.from(e.timestamps), values.map((_, k) => (1700000000 + k * 15) * 1000));
  values.forEach((v, k) => same(e.values[k], sampleValue(v), v));
  assert.equal(readMatrixElement(Buffer.from(text.replace('"values"', '"valuez"'))), undefined, 'another layout is left to the general path');
});

test('property: readMatrixElement reads every value of an element as Number() reads its text', () => {
  // The values are read while they are scanned (not by decimalAt): the same texts as above, plus the special ones.
  const written = fc.oneof(
    fc.double({ noNaN: true }).map((x) => String(x)),
    fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{0,20}$/), fc.option(fc.stringMatching(/^[0-9]{0,20}$/))).map(([neg, whole, frac]) => `${neg ? '-' : ''}${whole}${frac === null ? '' : `.${frac}`}`),
    fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => x.toFixed(Math.floor(Math.abs(x) % 13))),
    fc.constantFrom('NaN', '+Inf', '-Inf', '', '-', '.', '5.', '.5', '1.2.3', '1e3', '-.5', '0x10'),
  );
  fc.assert(
    fc.property(fc.array(written, { minLength: 1, maxLength: 6 }), (texts) => {
      const text = `{"metric":{"a":"b"},"values":[${texts.map((v, k) => `[${1700000000 + k * 15},"${v}"]`).join(',')}]}`;
      const e = readMatrixElement(Buffer.from(text, 'latin1'))!;
      assert.equal(e.values.length, texts.length);
      texts.forEach((v, k) => same(e.values[k], sampleValue(v), v));
    }),
    { numRuns: 3000 },
  );
});

test('readMatrixElement finds the end of the labels whatever their values hold, as JSON.parse does', () => {
  const metrics = [
    { a: 'b' },
    {},
    { a: '}' },
    { a: '},"values":[', b: 'x' },
    { a: '\\"}', b: '{' },
    { a: '{"b":"c"}' },
    { a: 'é}ü', z: '}}' },
  ];
  for (const metric of metrics) {
    const text = `{"metric":${JSON.stringify(metric)},"values":[[1700000000,"1.5"]]}`;
    const e = readMatrixElement(Buffer.from(text))!;
    assert.deepEqual(e.metric, metric, text);
    assert.equal(e.end, Buffer.byteLength(text), text);
    assert.deepEqual(Array.from(e.values), [1.5]);
  }
  // A nested object (not Prometheus' layout) is left to the general path, which JSON.parses the element whole.
  const nested = '{"metric":{"a":{"b":"c"},"values":[[1,"2"]]},"values":[[1700000000,"1.5"]]}';
  assert.equal(readMatrixElement(Buffer.from(nested)), undefined);
});
