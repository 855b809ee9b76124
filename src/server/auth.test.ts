import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock.js';
import { configSchema } from '../config/schema.js';
import { MemorySessionStore } from '../store/session-store.js';
import { Authenticator, readCookie } from './auth.js';
import { SessionManager, tokenId } from './sessions.js';

const server = configSchema.parse({
  server: { apiTokens: ['token-aaaaaaaa', 'token-bbbbbbbb'], ui: { users: [{ name: 'alice', password: 'password-1' }] } },
  pipeline: { stages: [{ name: 's', environment: 'e', tier: 't', azs: ['a'], percent: 100 }] },
}).server;

describe('server-side sessions', () => {
  const clock = new ManualClock(1_000);
  const store = new MemorySessionStore();
  const sessions = new SessionManager(store, server.ui.users, clock, 60_000);

  it('accepts its own session until it expires, and stores only the hash of the token', async () => {
    const { token, session } = await sessions.issue('alice', '127.0.0.1');
    assert.equal(session.id, tokenId(token));
    assert.notEqual(session.id, token);
    assert.equal((await sessions.lookup(token))?.user, 'alice');
    clock.set(1_000 + 60_000);
    assert.equal(await sessions.lookup(token), null, 'expired at the TTL');
    assert.equal(await store.getSession(session.id), undefined, 'an expired session is deleted');
  });

  it('rejects revoked, unknown and malformed tokens', async () => {
    clock.set(1_000);
    const { token } = await sessions.issue('alice', '127.0.0.1');
    assert.equal(await sessions.revoke(token), true);
    assert.equal(await sessions.lookup(token), null);
    assert.equal(await sessions.lookup('x'.repeat(43)), null);
    assert.equal(await sessions.lookup('bad\u0000token'), null);
  });

  it('ends a session when the password changes or the user is removed', async () => {
    const { token } = await sessions.issue('alice', '127.0.0.1');
    const changed = new SessionManager(store, [{ name: 'alice', password: 'password-2' }], clock, 60_000);
    assert.equal(await changed.lookup(token), null);
    assert.equal(await sessions.lookup(token), null, 'revoked for good, not only under the new config');
    const { token: t2 } = await sessions.issue('alice', '127.0.0.1');
    assert.equal(await new SessionManager(store, [], clock).lookup(t2), null);
  });
});

describe('Authenticator', () => {
  const auth = new Authenticator(server, new SessionManager(new MemorySessionStore(), server.ui.users, new ManualClock(0)), Buffer.alloc(32, 1));

  it('checks passwords exactly', () => {
    assert.equal(auth.checkPassword('alice', 'password-1'), 'alice');
    assert.equal(auth.checkPassword('alice', 'password-2'), null);
    assert.equal(auth.checkPassword('bob', 'password-1'), null);
  });

  it('reads one cookie among several, and a malformed one as absent', () => {
    assert.equal(readCookie('a=1; rb_session=x%3Dy; b=2', 'rb_session'), 'x=y');
    assert.equal(readCookie('a=1', 'rb_session'), undefined);
    assert.equal(readCookie('rb_session=%E0%A4%A', 'rb_session'), undefined);
  });
});
