import type { Build } from '../domain/build.js';
import type { PipelineState } from '../pipeline/state.js';
import type { App } from './create-app.js';

/** How long the demo's on-call person takes to answer a stop, in simulated time. */
export const ONCALL_RESPONSE_MS = 10 * 60_000;

/**
 * The people around the demo pipeline, scripted: an on-call engineer who answers a bot stop after
 * ten minutes (rolls back a build they know is bad, resumes otherwise), and developers who push a
 * revert once a bad build has been rolled back. The bot's own rollback must come first: the demo's
 * test asserts the bad build is rolled back by the bot, not by this person.
 */
export class DemoPeople {
  private reverts = 0;
  private readonly reverted = new Set<string>();

  constructor(
    private readonly app: App,
    private readonly badBuilds: Set<string>,
    private readonly makeRevert: (n: number, of: string, at: number) => Omit<Build, 'receivedAt'>,
  ) {}

  /** Looks at the pipeline once; call it periodically. Returns how many builds it added (reverts). */
  async look(): Promise<number> {
    const state = this.app.runner.snapshot();
    const now = this.app.clock.now();
    await this.answerStop(state, now);
    return this.pushReverts(state, now);
  }

  private async answerStop(state: PipelineState, now: number): Promise<void> {
    const hold = state.hold;
    if (!hold || hold.kind !== 'stop' || hold.actor.kind !== 'bot' || now - hold.at < ONCALL_RESPONSE_MS) return;
    const person = { kind: 'person' as const, id: 'oncall-demo' };
    const bad = Object.values(state.builds).find((b) => this.badBuilds.has(b.id) && b.status === 'in_pipeline');
    if (bad) await this.app.runner.rollback(bad.id, person, 'on-call: this build carries the bad change');
    else await this.app.runner.resume(person, 'on-call: looked at the graphs, not caused by the deploy');
  }

  private async pushReverts(state: PipelineState, now: number): Promise<number> {
    const builds = Object.values(state.builds);
    const rolledBack = builds.filter((b) => this.badBuilds.has(b.id) && b.status === 'tainted' && !this.reverted.has(b.id));
    if (rolledBack.length === 0) return 0;
    for (const b of rolledBack) this.reverted.add(b.id);
    // Every build newer than a rolled-back one is tainted with it; if the newest build is healthy, it carries the fix.
    const newest = builds.reduce((a, b) => (b.seq > a.seq ? b : a));
    if (newest.status !== 'tainted') return 0;
    const revert = this.makeRevert(++this.reverts, rolledBack[0].id, now);
    await this.app.runner.submitBuild({ ...revert, receivedAt: new Date(now).toISOString() });
    return 1;
  }
}
