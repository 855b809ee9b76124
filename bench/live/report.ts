/**
 * The live bench's outcome, read from the bot's API (builds' final states, events, the decision
 * log) and from the deploy steps the exporter received: bad builds caught before 10% of
 * production and how fast, good builds rolled back / stopped / held, events by severity and
 * confidence, and every mistake with its context (the event's signals, the situations in force).
 */
import type { DeployEvent, Severity } from '../../src/domain/events.js';
import { SEVERITY_ORDER } from '../../src/domain/events.js';
import type { Decision } from '../../src/domain/pipeline.js';
import type { BadEffect, ReceivedStep } from './exporter.js';
import type { BotBuildState } from './bot.js';

export interface RunRecord {
  startMs: number;
  builds: Array<{ id: string; submittedAt: number; bad?: BadEffect & { kind?: string; carriedFrom?: string }; revert?: boolean }>;
  steps: ReceivedStep[];
  states: Record<string, BotBuildState>;
  events: DeployEvent[];
  decisions: Decision[];
  /** Good builds a person resumed after a monitor stop (a stop by mistake). */
  stoppedByMistake: Set<string>;
  /** Bad builds a person rolled back after a monitor stop. */
  rolledBackByPerson: Set<string>;
  tagsAt(t: number): string[];
}

const rank = (s: Severity) => SEVERITY_ORDER.indexOf(s);
const secs = (ms: number) => Math.round(ms / 100) / 10;

function eventContext(e: DeployEvent, r: RunRecord) {
  return {
    event: e.id,
    build: e.buildId,
    stage: e.stage,
    at: new Date(e.openedAt).toISOString().slice(11, 19),
    secondsIntoRun: secs(e.openedAt - r.startMs),
    secondsAfterDeploy: e.deployAt ? secs(e.openedAt - e.deployAt) : null,
    deployAtMs: e.deployAt ?? null,
    openedAtMs: e.openedAt,
    severity: e.severity,
    confidence: e.confidence,
    action: e.action ?? 'none',
    situations: r.tagsAt(e.openedAt),
    summary: e.summary,
    signals: e.signals.slice(0, 8).map((s) => ({
      check: s.check,
      series: `${s.labels.tier}/${s.labels.az}`,
      inScope: s.inScope,
      secondsAfterDeploy: e.deployAt ? secs((s.firstAt ?? s.at) - e.deployAt) : null,
      reason: s.verdict.reason,
      reference: s.reference ?? null,
    })),
  };
}

export function liveReport(r: RunRecord) {
  const deploys = (id: string) => r.steps.filter((s) => s.kind === 'deploy' && s.buildId === id);
  const rollbacks = (id: string) => r.steps.filter((s) => s.kind === 'rollback' && s.buildId === id);
  const bad = r.builds.filter((b) => b.bad);
  const good = r.builds.filter((b) => !b.bad);
  const badResults = bad.filter((b) => deploys(b.id).length > 0).map((b) => {
    const first = Math.min(...deploys(b.id).map((s) => s.at));
    const rb = rollbacks(b.id);
    const reachedProd10 = deploys(b.id).some((s) => s.tier === 'production');
    const stages = [...new Set(deploys(b.id).map((s) => s.stage))];
    const caughtBy = r.events.filter((e) => e.buildId === b.id && e.action === 'rollback').map((e) => `${e.stage} ${e.severity}/${e.confidence}`);
    return {
      build: b.id, kind: b.bad!.kind ?? 'carried', ...(b.bad!.carriedFrom ? { carriedFrom: b.bad!.carriedFrom } : {}),
      errorsX: Number(b.bad!.errors.toFixed(2)), latencyX: Number(b.bad!.latency.toFixed(2)),
      stages, reachedProd10, rolledBack: rb.length > 0, automatic: !r.rolledBackByPerson.has(b.id),
      secondsToRollback: rb.length ? secs(Math.max(...rb.map((s) => s.at)) - first) : null,
      caughtBy, finalStatus: r.states[b.id]?.status ?? 'unknown',
    };
  });
  const goodDeployed = good.filter((b) => deploys(b.id).length > 0);
  const wrongEvent = (e: DeployEvent) => rank(e.severity) >= rank('red') && e.confidence !== 'low';
  const goodRolledBack = goodDeployed.filter((b) => rollbacks(b.id).length > 0 || ['tainted', 'rolled_back'].includes(r.states[b.id]?.status ?? ''));
  const goodHeldByRed = goodDeployed.filter((b) => r.events.some((e) => e.buildId === b.id && wrongEvent(e)));
  const goodBlue = goodDeployed.filter((b) => r.events.some((e) => e.buildId === b.id && e.severity === 'blue'));
  const wrongBuilds = new Set([...goodRolledBack, ...goodHeldByRed].map((b) => b.id).concat([...r.stoppedByMistake]));
  const times = badResults.filter((b) => b.secondsToRollback !== null).map((b) => b.secondsToRollback!).sort((a, b) => a - b);
  const bySeverity = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, r.events.filter((e) => e.severity === s).length]));
  const byConfidence = Object.fromEntries(['low', 'medium', 'high'].map((c) => [c, r.events.filter((e) => e.confidence === c).length]));
  const finals = new Set(['completed', 'rolled_back', 'tainted', 'superseded']);
  return {
    builds: r.builds.length,
    revertBuilds: r.builds.filter((b) => b.revert).length,
    unfinished: r.builds.filter((b) => !finals.has(r.states[b.id]?.status ?? '')).map((b) => `${b.id}:${r.states[b.id]?.status ?? 'unknown'}${r.states[b.id]?.stage ? '@' + r.states[b.id]?.stage : ''}`),
    bad: {
      builds: bad.length,
      exposed: badResults.length,
      caughtBeforeProd10: badResults.filter((b) => !b.reachedProd10 && b.rolledBack).length,
      caughtAutomatically: badResults.filter((b) => !b.reachedProd10 && b.rolledBack && b.automatic).length,
      reachedProd10: badResults.filter((b) => b.reachedProd10).length,
      medianSecondsToRollback: times.length ? times[Math.floor((times.length - 1) / 2)] : null,
      maxSecondsToRollback: times.length ? times[times.length - 1] : null,
      results: badResults,
    },
    good: {
      builds: good.length,
      deployed: goodDeployed.length,
      completed: good.filter((b) => r.states[b.id]?.status === 'completed').length,
      rolledBack: goodRolledBack.map((b) => b.id),
      // Never deployed, but tainted because they contain a rolled-back build's commits (a good build rolled back takes its successors with it).
      taintedUndeployed: good.filter((b) => deploys(b.id).length === 0 && r.states[b.id]?.status === 'tainted').map((b) => b.id),
      stoppedByMistake: [...r.stoppedByMistake],
      heldByRedEvent: goodHeldByRed.map((b) => b.id),
      blueHolds: goodBlue.map((b) => b.id),
    },
    events: { total: r.events.length, bySeverity, byConfidence },
    // Events escalated by a long hold past the bake (policy.escalateAfter), and what each did.
    escalated: r.events.filter((e) => e.escalated).map((e) => ({ build: e.buildId, bad: bad.some((b) => b.id === e.buildId), stage: e.stage, severity: e.severity, confidence: e.confidence, action: e.escalated!.action, seconds: secs(e.escalated!.heldForMs) })),
    // Every good build's event of blue or worse when the build was rolled back, stopped or held by red; and every bad build that reached prod-10.
    mistakes: [
      ...r.events.filter((e) => wrongBuilds.has(e.buildId) && rank(e.severity) >= rank('blue')).map((e) => ({ kind: 'good build blamed', ...eventContext(e, r) })),
      ...badResults.filter((b) => b.reachedProd10).map((b) => ({ kind: 'bad build reached prod-10', build: b.build, events: r.events.filter((e) => e.buildId === b.build).map((e) => eventContext(e, r)) })),
    ],
    decisions: r.decisions.filter((d) => ['rollback', 'stop', 'hold', 'resume', 'taint'].includes(d.kind)).map((d) => ({
      at: secs(d.at - r.startMs), kind: d.kind, actor: d.actor.id, build: d.buildId ?? null, stage: d.stage ?? null, reason: d.reason.slice(0, 160),
    })).sort((a, b) => a.at - b.at),
  };
}
