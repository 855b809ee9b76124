import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { safeNext } from './safe-redirect.js';

const ORIGIN = 'https://releasebot.example.com';

/** Where a browser goes when it follows `Location: value` from ORIGIN. */
function browserTarget(value: string): string {
  return new URL(value, `${ORIGIN}/login`).origin;
}

test('keeps same-site paths with their query and fragment', () => {
  assert.equal(safeNext('/builds/b1?x=1#top'), '/builds/b1?x=1#top');
  assert.equal(safeNext('/events'), '/events');
  assert.equal(safeNext(undefined), '/');
});

test('sends every off-site vector home: tabs, newlines, backslashes, encodings, dot segments', () => {
  const vectors = [
    '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '\t//evil.example', '//evil.example', '/\\evil.example',
    '\\/evil.example', '\\\\evil.example', '/.//evil.example', '/a/..//evil.example', 'https://evil.example', ' https://evil.example',
    'javascript:alert(1)', 'data:text/html,x', '/\t\t/evil.example', 'http:evil.example', '\u0000//evil.example',
  ];
  for (const v of vectors) {
    const out = safeNext(v);
    assert.equal(browserTarget(out), ORIGIN, `${JSON.stringify(v)} -> ${out}`);
    assert.ok(!/^\/[/\\]/.test(out), `${JSON.stringify(v)} -> ${out}`);
  }
});

test('property: whatever comes in, the browser stays on this origin', () => {
  const piece = fc.constantFrom('/', '\\', '\t', '\n', '\r', '.', '..', '%2F', '%5C', '%09', 'evil.example', ':', '@', '?', '#', ' ', 'a');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.array(piece, { maxLength: 12 }).map((a) => a.join(''))), (next) => {
      const out = safeNext(next);
      return out.startsWith('/') && !/^\/[/\\]/.test(out) && browserTarget(out) === ORIGIN;
    }),
    { numRuns: 2000 },
  );
});
