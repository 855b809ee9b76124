import type { Clock } from '../clock/clock.js';
import { asReleasebotError } from '../domain/errors.js';
import type { PipelineRunner } from '../pipeline/runner.js';
import type { Store } from '../store/store.js';

export interface CommandDrainOptions {
  runner: PipelineRunner;
  store: Store;
  clock: Clock;
  /** How often to look for commands. Default 200 ms (a follower's caller is waiting). */
  pollMs?: number;
  /** Answered commands older than this are deleted. Default 7 days. */
  keepMs?: number;
  log?: (line: string) => void;
}

/**
 * The leader's side of the command inbox: applies pending commands oldest first, each exactly once
 * (`runner.applyCommand` writes its transition and its answer in one transaction). A command whose
 * write fails stays pending and is tried again next round, or by the next leader.
 */
export async function drainCommands(opts: CommandDrainOptions, signal: AbortSignal): Promise<void> {
  const keepMs = opts.keepMs ?? 7 * 86_400_000;
  let prunedAt = 0;
  while (!signal.aborted) {
    try {
      for (const c of await opts.store.pendingCommands(20)) {
        if (signal.aborted) return;
        await opts.runner.applyCommand(c);
      }
      const now = opts.clock.now();
      if (now - prunedAt > 3_600_000) {
        prunedAt = now;
        await opts.store.pruneCommands(now - keepMs);
      }
    } catch (e) {
      opts.log?.(`commands: ${asReleasebotError(e).message}`);
    }
    await opts.clock.sleep(opts.pollMs ?? 200, signal);
  }
}
