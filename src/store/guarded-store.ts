import { ReleasebotError } from '../domain/errors.js';
import type { Store } from './store.js';

/**
 * The store with every driver error (connection refused, timeout, disk I/O...) turned into a
 * STORE_FAILED ReleasebotError naming the operation, so the API answers 503 with the documented
 * body instead of a 500, and callers can tell "the store is down" from a bug. ReleasebotErrors the
 * store raises itself (CONFLICT, corrupt rows) pass through unchanged.
 */
export function guardStore<S extends Store>(store: S): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        try {
          const r = value.apply(target, args);
          return r instanceof Promise ? r.catch((e: unknown) => rethrow(prop, e)) : r;
        } catch (e) {
          return rethrow(prop, e);
        }
      };
    },
  });
}

function rethrow(operation: string, e: unknown): never {
  if (e instanceof ReleasebotError) throw e;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  const why = typeof code === 'string' && code !== '' ? `${code}: ${message}` : message;
  throw new ReleasebotError('STORE_FAILED', `store unavailable (${operation}): ${why.slice(0, 200)}`, { operation }, { cause: e });
}
