/**
 * The runner's bookkeeping of work in progress: observations run one at a time (`serial`), background
 * work is counted (`track`, `begin`/`end`), and `settle()` resolves when none of it is running.
 */
export class RunnerWork {
  private chain: Promise<unknown> = Promise.resolve();
  private active = 0;
  private idleWaiters: Array<() => void> = [];

  /** Run `fn` after everything queued before it, whether that succeeded or not. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    this.begin();
    const run = this.chain.then(fn, fn).finally(() => this.end());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when the serial work queued so far has ended. */
  async quiet(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  /** Run `p` in the background: errors go to `onError`, settle() waits for it. */
  track<T>(p: Promise<T>, onError: (e: unknown) => void): void {
    this.begin();
    void p.catch(onError).finally(() => this.end());
  }

  begin(): void {
    this.active++;
  }

  end(): void {
    if (--this.active > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when nothing counted is running. */
  async settle(): Promise<void> {
    while (this.active > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }
}
