import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createStore } from '../../src/store/create.js';
import { sessionStoreFor } from '../../src/store/kysely-session-store.js';
import { MemorySessionStore, type SessionRecord, type SessionStore } from '../../src/store/session-store.js';
import type { Store } from '../../src/store/store.js';
import { freshPostgres } from './support.js';

const rec = (id: string, user: string, createdAt: number, expiresAt: number): SessionRecord => ({ id, user, csrf: `c-${id}`, credential: 'abcd1234', createdAt, expiresAt, ip: '127.0.0.1' });

/** One contract for every SessionStore: SQLite, PostgreSQL and memory behave the same. */
function contract(name: string, open: () => Promise<{ sessions: SessionStore; close(): Promise<void> } | { skip: string }>): void {
  describe(`SessionStore contract (${name})`, async () => {
    const opened = await open();
    const skip = 'skip' in opened ? opened.skip : false;
    const s = 'skip' in opened ? (undefined as never) : opened.sessions;
    after(async () => {
      if (!('skip' in opened)) await opened.close();
    });

    it('creates, reads, lists newest first, and expires', { skip }, async () => {
      await s.createSession(rec('a', 'alice', 1, 100));
      await s.createSession(rec('b', 'alice', 2, 200));
      await s.createSession(rec('c', 'bob', 3, 300));
      assert.deepEqual(await s.getSession('a'), rec('a', 'alice', 1, 100));
      assert.equal(await s.getSession('nope'), undefined);
      assert.deepEqual((await s.listSessions(150)).map((x) => x.id), ['c', 'b']);
      assert.equal(await s.deleteExpiredSessions(150), 1);
      assert.equal(await s.getSession('a'), undefined);
    });

    it('revokes one, then all of a user', { skip }, async () => {
      assert.equal(await s.revokeSession('c'), true);
      assert.equal(await s.revokeSession('c'), false);
      await s.createSession(rec('d', 'alice', 4, 400));
      assert.equal(await s.revokeUserSessions('alice'), 2);
      assert.deepEqual(await s.listSessions(0), []);
    });
  });
}

const withStore = async (url: string, dispose?: () => Promise<void>) => {
  const store: Store = await createStore(url);
  return { sessions: sessionStoreFor(store), close: async () => (await store.close(), await dispose?.()) };
};

contract('sqlite', () => withStore('sqlite::memory:'));
contract('postgres', async () => {
  const pg = await freshPostgres();
  return 'skip' in pg ? pg : withStore(pg.url, pg.dispose);
});
contract('memory', async () => ({ sessions: new MemorySessionStore(), close: async () => undefined }));
