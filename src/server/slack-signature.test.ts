import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlackSignature, verifySlackSignature } from './slack-signature.js';

// Slack's documented example ("Verifying requests from Slack"), checked against several independent copies.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TS = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const NOW = Number(TS) * 1000;

test('computes Slack documented example signature', () => {
  assert.equal(computeSlackSignature(SECRET, TS, BODY), EXPECTED);
});

test('accepts the documented example at its own time and within 5 minutes', () => {
  assert.deepEqual(verifySlackSignature({ signingSecret: SECRET, timestamp: TS, signature: EXPECTED, rawBody: BODY, nowMs: NOW }), { ok: true });
  assert.deepEqual(verifySlackSignature({ signingSecret: SECRET, timestamp: TS, signature: EXPECTED, rawBody: BODY, nowMs: NOW + 299_000 }), { ok: true });
});

test('rejects wrong secret, tampered body, stale or future timestamp, missing headers', () => {
  const base = { signingSecret: SECRET, timestamp: TS, signature: EXPECTED, rawBody: BODY, nowMs: NOW };
  assert.deepEqual(verifySlackSignature({ ...base, signingSecret: 'not-the-secret' }), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifySlackSignature({ ...base, rawBody: BODY.replace('roadrunner', 'coyote') }), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifySlackSignature({ ...base, nowMs: NOW + 301_000 }), { ok: false, reason: 'stale_timestamp' });
  assert.deepEqual(verifySlackSignature({ ...base, nowMs: NOW - 301_000 }), { ok: false, reason: 'stale_timestamp' });
  assert.deepEqual(verifySlackSignature({ ...base, signature: undefined }), { ok: false, reason: 'missing_headers' });
  assert.deepEqual(verifySlackSignature({ ...base, timestamp: '15314x' }), { ok: false, reason: 'bad_timestamp' });
  assert.deepEqual(verifySlackSignature({ ...base, signature: 'v0=abc' }), { ok: false, reason: 'bad_signature' });
});
