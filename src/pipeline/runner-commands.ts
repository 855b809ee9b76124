import type { CommandOutcome, StoredCommand } from '../domain/command.js';
import { asReleasebotError } from '../domain/errors.js';
import type { Actor } from '../domain/pipeline.js';
import type { Store } from '../store/store.js';
import type { Observation } from './observation.js';

/** What applying a command needs of the runner; called inside its serial section. */
export interface CommandHost {
  store: Store;
  /** Has the orchestrator taken this build in? */
  seen(buildId: string): Promise<boolean>;
  /** Apply an observation and write it together with the command's answer. */
  transition(obs: Observation, command: { id: number; outcome: CommandOutcome }): Promise<unknown>;
  /** Roll back, writing the command's answer with the transition; false when already rolled back. */
  rollback(buildId: string, actor: Actor, reason: string, evidence: Record<string, unknown> | undefined, command: number): Promise<boolean>;
  /** A write failed or the runner closed: whatever failed may not have been refused by the pipeline. */
  writeFailed(): boolean;
}

/**
 * Apply a command from the replicas' inbox exactly once: its transition and "done" (with the
 * answer the asker gets) are written in one transaction; a refusal (unknown build...) is recorded
 * as the answer. A store failure leaves it pending for the next try (or the next leader).
 */
export async function applyStoredCommand(c: StoredCommand, host: CommandHost): Promise<CommandOutcome> {
  const cmd = c.command;
  let outcome: CommandOutcome = { ok: true };
  try {
    if (cmd.kind === 'rollback') {
      const done = await host.rollback(cmd.buildId, cmd.actor, cmd.reason, cmd.evidence, c.id);
      if (done) return { ok: true, value: true };
      outcome = { ok: true, value: false };
    } else if (cmd.kind === 'build') {
      if (!(await host.seen(cmd.buildId)) && (await host.store.getBuild(cmd.buildId))) await host.transition({ type: 'build_received', build: { id: cmd.buildId } }, { id: c.id, outcome });
    } else {
      await host.transition({ type: cmd.kind, actor: cmd.actor, reason: cmd.reason }, { id: c.id, outcome });
    }
  } catch (e) {
    const err = asReleasebotError(e);
    // Answered (or withdrawn) meanwhile: its transaction was rolled back; report the stored answer.
    if (err.code === 'CONFLICT' && err.details?.commandId === c.id) return (await host.store.getCommand(c.id))?.outcome ?? { ok: true };
    // The write failed (store down, version moved, lease lost): nothing was applied; it stays pending.
    if (host.writeFailed() || err.code === 'STORE_FAILED') throw err;
    outcome = { ok: false, code: err.code, message: err.message };
  }
  // Nothing to write with it (already so, or refused): record the answer on its own.
  if ((await host.store.getCommand(c.id))?.status === 'pending') await host.store.finishCommand(c.id, outcome);
  return outcome;
}
