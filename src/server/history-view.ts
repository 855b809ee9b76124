import type { Build } from '../domain/build.js';
import type { Decision, DecisionKind, DeployStep } from '../domain/pipeline.js';
import type { PipelineState } from '../pipeline/state.js';

/** How a build's journey ended (or where it stands). */
export type DeployOutcome = 'reached_production' | 'rolled_back' | 'tainted' | 'superseded' | 'in_progress' | 'queued' | 'failed';

/** One past deploy for the history page. */
export interface DeployHistoryRow {
  buildId: string;
  sha: string;
  receivedAt: string;
  outcome: DeployOutcome;
  /** From its first deploy step's start to its last step's end (or to now while in progress), ms; null before any step. */
  durationMs: number | null;
  /** Its own PRs plus those of the builds it superseded. */
  prCount: number;
  /** Furthest stage a deploy step succeeded in. */
  furthestStage: string | null;
  stepCount: number;
}

/** Bot decisions against human overrides in one time bucket. */
export interface DecisionBucket {
  start: number;
  /** Every decision the bot made. */
  bot: number;
  /** Bot decisions that intervened: hold, stop, rollback (and shadow-mode would_*). */
  botInterventions: number;
  /** Decisions made by people (holds, resumes, rollbacks from Slack or the UI). */
  human: number;
}

/** The history page's data. */
export interface HistoryView {
  now: number;
  deploys: DeployHistoryRow[];
  decisions: { bucketMs: number; buckets: DecisionBucket[]; totals: { bot: number; botInterventions: number; human: number; byKind: Record<string, { bot: number; human: number }> } };
}

const INTERVENTIONS: ReadonlySet<DecisionKind> = new Set(['hold', 'stop', 'rollback', 'would_rollback', 'would_hold']);

function outcomeOf(buildId: string, state: PipelineState, decisions: Decision[], steps: DeployStep[]): DeployOutcome {
  const bs = state.builds[buildId];
  if (bs) {
    switch (bs.status) {
      case 'completed':
        return 'reached_production';
      case 'rolled_back':
        return 'rolled_back';
      case 'tainted':
        return 'tainted';
      case 'superseded':
        return 'superseded';
      case 'queued':
        return 'queued';
      case 'in_pipeline':
        return steps.some((s) => s.outcome === 'failed') && state.slots.some((s) => s.buildId === buildId && s.phase === 'failed') ? 'failed' : 'in_progress';
    }
  }
  // Not (or no longer) in the orchestrator's state: fall back to the decision log.
  const kinds = new Set(decisions.map((d) => d.kind));
  if (kinds.has('rollback')) return 'rolled_back';
  if (kinds.has('taint')) return 'tainted';
  if (kinds.has('complete')) return 'reached_production';
  if (kinds.has('supersede')) return 'superseded';
  return steps.length ? 'in_progress' : 'queued';
}

/** Picks a bucket size giving about 24 buckets over the span, rounded to whole minutes (at least one). */
export function bucketSize(spanMs: number): number {
  return Math.max(60_000, Math.ceil(spanMs / 24 / 60_000) * 60_000);
}

/** Computes the history page from builds (newest first), all decisions and all steps. */
export function historyView(input: { now: number; state: PipelineState; builds: Build[]; decisions: Decision[]; steps: DeployStep[] }): HistoryView {
  const { now, state, builds, decisions, steps } = input;
  const byId = new Map(builds.map((b) => [b.id, b]));
  const deploys = builds.map((b): DeployHistoryRow => {
    const own = steps.filter((s) => s.buildId === b.id);
    const ds = decisions.filter((d) => d.buildId === b.id);
    const outcome = outcomeOf(b.id, state, ds, own);
    const start = own.length ? Math.min(...own.map((s) => s.startedAt)) : null;
    const ended = own.map((s) => s.endedAt ?? now);
    const end = outcome === 'in_progress' || outcome === 'failed' ? now : Math.max(...ended);
    const deployed = own.filter((s) => s.kind === 'deploy' && s.outcome === 'succeeded');
    const stageIdx = deployed.map((s) => state.stages.findIndex((st) => st.name === s.stage));
    const furthest = stageIdx.length ? Math.max(...stageIdx) : -1;
    const included = state.builds[b.id]?.includes ?? [];
    const prCount = b.pullRequests.length + included.reduce((n, id) => n + (byId.get(id)?.pullRequests.length ?? 0), 0);
    return {
      buildId: b.id,
      sha: b.sha,
      receivedAt: b.receivedAt,
      outcome,
      durationMs: start === null ? null : Math.max(0, end - start),
      prCount,
      furthestStage: furthest >= 0 ? state.stages[furthest].name : null,
      stepCount: own.length,
    };
  });
  return { now, deploys, decisions: decisionStats(decisions) };
}

function decisionStats(decisions: Decision[]): HistoryView['decisions'] {
  const totals = { bot: 0, botInterventions: 0, human: 0, byKind: {} as Record<string, { bot: number; human: number }> };
  if (decisions.length === 0) return { bucketMs: 60_000, buckets: [], totals };
  const first = Math.min(...decisions.map((d) => d.at));
  const last = Math.max(...decisions.map((d) => d.at));
  const bucketMs = bucketSize(last - first);
  const origin = Math.floor(first / bucketMs) * bucketMs;
  const buckets: DecisionBucket[] = [];
  for (let t = origin; t <= last; t += bucketMs) buckets.push({ start: t, bot: 0, botInterventions: 0, human: 0 });
  for (const d of decisions) {
    const b = buckets[Math.floor((d.at - origin) / bucketMs)];
    const k = (totals.byKind[d.kind] ??= { bot: 0, human: 0 });
    if (d.actor.kind === 'bot') {
      b.bot++;
      totals.bot++;
      k.bot++;
      if (INTERVENTIONS.has(d.kind)) {
        b.botInterventions++;
        totals.botInterventions++;
      }
    } else {
      b.human++;
      totals.human++;
      k.human++;
    }
  }
  return { bucketMs, buckets, totals };
}
