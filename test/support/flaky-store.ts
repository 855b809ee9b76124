import type { Store } from '../../src/store/store.js';
import { guardStore } from '../../src/store/guarded-store.js';

/** A store whose calls can fail like a database that went away (for outage and crash-injection tests). */
export interface FlakyStore {
  store: Store;
  /** While true, every call fails with a driver-style "connection refused" error. */
  down: boolean;
  /** Fail exactly the `n`-th call from now on (1 = the next one); undefined: none. */
  failCall?: number;
  /** Calls made so far, by method name, in order. */
  calls: string[];
}

/** Wraps a real store; errors look like the pg driver's (so the production guard turns them into STORE_FAILED). */
export function flaky(inner: Store): FlakyStore {
  const f: FlakyStore = { store: inner, down: false, calls: [] };
  const raw = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        f.calls.push(prop);
        const nth = f.failCall !== undefined && --f.failCall === 0;
        if (nth) f.failCall = undefined;
        if (f.down || nth) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
        return value.apply(target, args);
      };
    },
  });
  f.store = guardStore(raw);
  return f;
}
