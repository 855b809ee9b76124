import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import { configSchema } from '../config/schema.js';
import { Authenticator, readCookie } from './auth.js';

const server = configSchema.parse({
  server: { apiTokens: ['token-aaaaaaaa', 'token-bbbbbbbb'], ui: { users: [{ name: 'alice', password: 'password-1' }] } },
  pipeline: { stages: [{ name: 's', environment: 'e', tier: 't', azs: ['a'], percent: 100 }] },
}).server;

describe('Authenticator sessions', () => {
  const clock = new ManualClock(1_000);
  const auth = new Authenticator(server, { sessionClock: clock, sessionSecret: 'k'.repeat(32), sessionTtlMs: 60_000 });

  it('accepts its own session until it expires', () => {
    const s = auth.issueSession('alice');
    assert.equal(auth.verifySession(s), 'alice');
    clock.set(1_000 + 60_000);
    assert.equal(auth.verifySession(s), null, 'expired at the TTL');
  });

  it('rejects a tampered payload, another key, and garbage', () => {
    clock.set(1_000);
    const s = auth.issueSession('alice');
    const [payload, mac] = s.split('.');
    const evil = Buffer.from(JSON.stringify({ u: 'alice', exp: 9e15 })).toString('base64url');
    assert.equal(auth.verifySession(`${evil}.${mac}`), null);
    const other = new Authenticator(server, { sessionClock: clock, sessionSecret: 'x'.repeat(32) });
    assert.equal(other.verifySession(s), null);
    assert.equal(auth.verifySession(payload), null);
    assert.equal(auth.verifySession('...'), null);
  });

  it('rejects a session of a user no longer configured', () => {
    const s = auth.issueSession('mallory');
    assert.equal(auth.verifySession(s), null);
  });

  it('checks passwords exactly', () => {
    assert.equal(auth.checkPassword('alice', 'password-1'), 'alice');
    assert.equal(auth.checkPassword('alice', 'password-2'), null);
    assert.equal(auth.checkPassword('bob', 'password-1'), null);
  });

  it('reads one cookie among several', () => {
    assert.equal(readCookie('a=1; rb_session=x%3Dy; b=2', 'rb_session'), 'x=y');
    assert.equal(readCookie('a=1', 'rb_session'), undefined);
  });
});
