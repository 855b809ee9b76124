import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPayload, isHttpUrl } from './build-payload.js';

const good = {
  id: 'b1',
  sha: 'abcdef1234567',
  createdAt: '2024-05-01T10:00:00Z',
  ciUrl: 'https://ci.example.com/b1',
  pullRequests: [{ number: 7, title: 'Fix', url: 'https://git.example.com/pr/7', authorName: 'Ada', codeOwners: [] }],
};

/** The field paths a payload is refused for. */
function badPaths(payload: unknown): string[] {
  const r = buildPayload.safeParse(payload);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => i.path.join('.')))].sort();
}

const pr = (over: Record<string, unknown>) => ({ ...good, pullRequests: [{ ...good.pullRequests[0], ...over }] });

test('a valid payload passes', () => {
  assert.deepEqual(badPaths(good), []);
});

test('links must be http or https: javascript:, data:, vbscript:, file: and relative are refused', () => {
  for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '/relative', 'java\tscript:alert(1)']) {
    assert.deepEqual(badPaths({ ...good, ciUrl: url }), ['ciUrl'], `ciUrl ${JSON.stringify(url)}`);
    assert.deepEqual(badPaths(pr({ url })), ['pullRequests.0.url'], `pr url ${JSON.stringify(url)}`);
  }
  assert.ok(isHttpUrl('http://ci.example.com/x') && isHttpUrl('HTTPS://CI.EXAMPLE.COM/'));
});

test('PR numbers are bounded positive integers (1e300 is not a PR)', () => {
  for (const number of [1e300, 2 ** 31, 0, -1, 1.5, Number.MAX_SAFE_INTEGER]) assert.deepEqual(badPaths(pr({ number })), ['pullRequests.0.number'], String(number));
  assert.deepEqual(badPaths(pr({ number: 2 ** 31 - 1 })), []);
});

test('control characters and bidi overrides are refused in titles, names and code owners', () => {
  for (const c of ['\u0000', '\u0007', '\n', '\r', '\u001b[31m', '\u007f', '\u0085', '\u202e', '\u2066']) {
    assert.deepEqual(badPaths(pr({ title: `Fix ${c} it` })), ['pullRequests.0.title'], JSON.stringify(c));
    assert.deepEqual(badPaths(pr({ authorName: `Ada${c}` })), ['pullRequests.0.authorName'], JSON.stringify(c));
    assert.deepEqual(badPaths(pr({ codeOwners: [`@web${c}`] })), ['pullRequests.0.codeOwners.0'], JSON.stringify(c));
  }
  // Non-ASCII text is fine: only invisible or reordering characters are refused.
  assert.deepEqual(badPaths(pr({ title: 'Füx “quotes” 修正 🚀', authorName: 'Zoë' })), []);
});

test('sizes are bounded', () => {
  assert.deepEqual(badPaths(pr({ title: 'x'.repeat(1001) })), ['pullRequests.0.title']);
  assert.deepEqual(badPaths({ ...good, ciUrl: `https://ci.example.com/${'a'.repeat(2048)}` }), ['ciUrl']);
});
