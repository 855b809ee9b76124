import type { Kysely } from 'kysely';
import { ReleasebotError } from '../domain/errors.js';
import type { Database, Engine } from './schema.js';
import type { Fence, Store } from './store.js';
import { checkFence } from './transition-write.js';

/** Store methods that write. Each runs in its own transaction behind the fence check when fenced. */
const WRITES = new Set<string>([
  'putBuild', 'saveState', 'appendDecision', 'upsertStep', 'upsertEvent', 'putGateRecord', 'enqueueOutbox', 'markOutboxSent',
  'markOutboxFailed', 'setKv', 'setKvIfAbsent', 'appendAudit', 'enqueueCommand', 'finishCommand', 'cancelCommand', 'pruneCommands',
]);

/** Methods a fenced view must not pass on: the view shares its owner's connection pool and schema. */
const OWNER_ONLY = new Set<string>(['close', 'migrate']);

export interface FencedStoreOptions {
  db: Kysely<Database>;
  engine: Engine;
  fence: Fence;
  /** The same store over a transaction (a KyselyStore on `trx`): where a fenced write runs. */
  over: (trx: Kysely<Database>) => Store;
  /** Called once a write was refused because the lease moved (step down at once). */
  onLost?: (e: ReleasebotError) => void;
}

/**
 * The leader's view of the store: every write is refused unless `fence` still holds its lease,
 * checked inside the write's own transaction (the lease row is locked until commit on PostgreSQL),
 * so a deposed leader that has not noticed yet cannot change anything. Reads pass straight through.
 */
export function fencedStore(base: Store, opts: FencedStoreOptions): Store {
  const lost = (e: unknown): never => {
    if (e instanceof ReleasebotError && e.details?.fenceLost === true) opts.onLost?.(e);
    throw e;
  };
  return new Proxy(base, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      if (OWNER_ONLY.has(prop)) return async () => undefined;
      if (prop === 'commitTransition') {
        return (t: Parameters<Store['commitTransition']>[0]) => target.commitTransition({ ...t, fence: opts.fence }).catch(lost);
      }
      if (!WRITES.has(prop)) return value.bind(target);
      return (...args: unknown[]) =>
        opts.db
          .transaction()
          .execute(async (trx) => {
            await checkFence(trx, opts.engine, opts.fence);
            const inner = opts.over(trx) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
            return inner[prop](...args);
          })
          .catch(lost);
    },
  });
}
